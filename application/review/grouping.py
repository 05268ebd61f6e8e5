"""Greedy grouping of the inbox's messages by shared words, without comparing every message with every group.

The rule is the inbox's: in order, a message joins the first group whose lead (its first message) is alike
(`similarity(lead, message) >= similar`), or leads a new group. Asked naively, that is one comparison per
message and group: millions at 5,000 mostly distinct messages, each normalising both texts again.

Here each text is normalised once, and a message is compared only with the leads it could be alike with.
Two non-empty word sets with a Jaccard of at least `similar` (above 0) share at least `ceil(similar * size)`
of each one's words, so, with the words of every set in one fixed order (rarest first), the first
`size - ceil(similar * size) + 1` words of each set have one in common (prefix filtering). Only the leads that
share a word of their prefix with the message's prefix are compared, in the order the groups were opened, so
the first alike one is the one the naive loop finds. Texts without a word are alike only with one another
(similarity's rule), never with a text that has words.
"""

import math
from collections import Counter
from collections.abc import Sequence

from application.learning.text_matching import normalise, similarity


def group_leads(texts: Sequence[str], similar: float) -> list[int]:
    """For each text, the position of its group's lead: an earlier alike lead, or its own position."""
    if not similar > 0.0:
        # Every pair is alike (or, for NaN, none is): the shortcut's premise fails, the plain rule is cheap.
        return _plain(texts, similar)
    words = [frozenset(normalise(text).split()) for text in texts]
    frequency = Counter(word for each in words for word in each)
    leads: list[int] = []
    # a prefix word -> (lead, the lead's size, its words after this one), in order of opening
    opened: dict[str, list[tuple[int, int, int]]] = {}
    wordless = -1  # the first text without a word leads every other one
    for position, own in enumerate(words):
        if not own:
            # similarity() scores two texts without a word 1.0, and such a text beside any other 0.0.
            if wordless >= 0 and similar <= 1.0:
                leads.append(wordless)
            else:
                wordless = position if wordless < 0 else wordless
                leads.append(position)
            continue
        ordered = sorted(own, key=lambda word: (frequency[word], word))
        prefix = ordered[: _prefix_length(len(ordered), similar)]
        found = _first_alike(own, prefix, words, opened, similar)
        leads.append(position if found < 0 else found)
        if found < 0:
            for place, word in enumerate(prefix):
                opened.setdefault(word, []).append((position, len(own), len(own) - place - 1))
    return leads


def _first_alike(
    own: frozenset[str],
    prefix: list[str],
    words: list[frozenset[str]],
    opened: dict[str, list[tuple[int, int, int]]],
    similar: float,
) -> int:
    """The first lead alike with `own`, or -1: the leads sharing a prefix word, less those that cannot be.

    Walking the prefix in order counts, per lead, the words shared so far; a lead whose count plus the words
    left on the shorter side cannot reach the overlap a Jaccard of `similar` needs is dropped (positional
    filtering). The survivors are checked exactly, in the order they were opened.
    """
    size = len(own)
    largest = max(size, math.floor(size / similar + _SLACK)) + 1
    needed = [_overlap_needed(size, other, similar) for other in range(largest + 1)]
    shared: dict[int, int] = {}  # a lead -> the words shared so far; DROPPED once it cannot be alike
    for place, word in enumerate(prefix):
        left = size - place - 1
        for lead, its_size, its_left in opened.get(word, ()):
            count = shared.get(lead, 0)
            if count == _DROPPED:
                continue
            count += 1
            if its_size <= largest and count + (left if left < its_left else its_left) >= needed[its_size]:
                shared[lead] = count
            else:
                shared[lead] = _DROPPED
    for lead in sorted(shared):
        # similarity()'s arithmetic on the sets already made: the same quotient of the same whole numbers.
        if shared[lead] != _DROPPED and len(words[lead] & own) / len(words[lead] | own) >= similar:
            return lead
    return -1


_DROPPED = -1
# Slack for the products below: rounding may only lengthen a prefix or lower a bound, never the reverse.
_SLACK = 1e-9


def _prefix_length(size: int, similar: float) -> int:
    # A pair with a Jaccard of `similar` shares at least ceil(similar * size) of each one's words.
    return max(0, size - math.ceil(similar * size - _SLACK) + 1)


def _overlap_needed(a: int, b: int, similar: float) -> int:
    # shared / (a + b - shared) >= similar  <=>  shared >= similar * (a + b) / (1 + similar)
    return math.ceil(similar * (a + b) / (1.0 + similar) - _SLACK)


def _plain(texts: Sequence[str], similar: float) -> list[int]:
    leads: list[int] = []
    opened: list[int] = []
    for position, text in enumerate(texts):
        found = next((lead for lead in opened if similarity(texts[lead], text) >= similar), -1)
        if found < 0:
            opened.append(position)
        leads.append(position if found < 0 else found)
    return leads
