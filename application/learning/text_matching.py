"""Near-duplicate matching of short user messages, for corrections that apply at once."""

import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)


def normalise(text: str) -> str:
    # Kept: the database stores each correction's key as this made it (`corrections.match_key`) and the index reads
    # it back, so a change here needs a migration that computes the stored keys again.
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(folded))


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of word sets, over normalised text."""
    words_a, words_b = set(normalise(a).split()), set(normalise(b).split())
    if not words_a or not words_b:
        return 1.0 if normalise(a) == normalise(b) else 0.0
    return len(words_a & words_b) / len(words_a | words_b)
