"""Corrections take effect at once: a message (or a near-duplicate) that was corrected gets the corrected answer.

Every plain message is looked up here, on the event loop, so the lookup is indexed (issue 14, defect 6): the
exact normalised text by hash, near duplicates through an inverted index of words. Two texts are near duplicates
when the Jaccard similarity of their word sets reaches `near_duplicate`; for that, a stored text must share at
least one of the message's `len(words) - ceil(t * len(words)) + 1` rarest words, so only those words' entries
are candidates (newest first, at most `max_candidates` of them), and only candidates of a compatible size are
compared. Cost per message: a few dictionary reads and at most `max_candidates` small set intersections.
"""

import math
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime

from application.learning.text_matching import normalise
from application.ports.storage import FeedbackLog, IndexedCorrection
from domain.feedback import Correction
from domain.ids import UserId
from domain.spaces import Space

MAX_CANDIDATES = 1_000


@dataclass
class _Index:
    answers: dict[str, str] = field(default_factory=dict)  # normalised text -> answer
    order: dict[str, int] = field(default_factory=dict)  # normalised text -> when it was last corrected
    words: dict[str, frozenset[str]] = field(default_factory=dict)
    # word -> the texts holding it, oldest first (a dict is an ordered set that can also move an entry to the end)
    postings: defaultdict[str, dict[str, None]] = field(default_factory=lambda: defaultdict(dict))
    added_by: defaultdict[UserId, deque[datetime]] = field(default_factory=lambda: defaultdict(deque))
    counter: int = 0

    def add(self, correction: IndexedCorrection) -> None:
        key = correction.key
        words = frozenset(key.split())
        self.counter += 1
        self.answers[key] = correction.answer
        self.order[key] = self.counter
        self.words[key] = words
        for word in words:
            posting = self.postings[word]
            posting.pop(key, None)  # latest last, so that newest-first scans meet it early
            posting[key] = None
        self.added_by[correction.author_id].append(correction.created_at)


class CorrectionOverrides:
    def __init__(self, log: FeedbackLog, near_duplicate: float = 0.8, max_candidates: int = MAX_CANDIDATES) -> None:
        self._log = log
        self._near_duplicate = near_duplicate
        self._max_candidates = max_candidates
        self._by_space: dict[Space, _Index] = {}

    async def _index(self, space: Space) -> _Index:
        index = self._by_space.get(space)
        if index is None:
            index = _Index()
            for correction in await self._log.list_indexed_corrections(space):
                index.add(correction)
            self._by_space[space] = index
        return index

    async def add(self, space: Space, correction: Correction) -> None:
        indexed = IndexedCorrection(
            normalise(correction.user_text), correction.correction, correction.author_id, correction.created_at
        )
        (await self._index(space)).add(indexed)

    async def added_since(self, space: Space, author_id: UserId, since: datetime) -> int:
        """How many corrections `author_id` added in this space after `since` (for the daily cap)."""
        times = (await self._index(space)).added_by.get(author_id)
        if not times:
            return 0
        while times and times[0] <= since:
            times.popleft()  # older than any window asked about from now on: the clock only moves forward
        return len(times)

    async def lookup(self, space: Space, text: str) -> str | None:
        index = await self._index(space)
        key = normalise(text)
        found = index.answers.get(key)
        if found is not None:
            return found
        words = set(key.split())
        if not words:
            return None
        threshold = self._near_duplicate
        needed = math.ceil(threshold * len(words) - 1e-9)  # shared words a near duplicate must have
        smallest, largest = needed, math.floor(len(words) / threshold + 1e-9) if threshold > 0 else math.inf
        rarest = sorted(words, key=lambda word: len(index.postings.get(word, ())))
        best: tuple[float, int, str] | None = None
        seen: set[str] = set()
        for word in rarest[: len(words) - needed + 1]:
            for known in reversed(index.postings.get(word, {})):
                if known in seen:
                    continue
                seen.add(known)
                if len(seen) > self._max_candidates:
                    break
                known_words = index.words[known]
                if not smallest <= len(known_words) <= largest:
                    continue
                shared = len(words & known_words)
                score = shared / (len(words) + len(known_words) - shared)
                if score >= threshold:
                    candidate = (score, index.order[known], known)
                    if best is None or candidate > best:
                        best = candidate
            if len(seen) > self._max_candidates:
                break
        return index.answers[best[2]] if best is not None else None

    def forget(self, space: Space) -> None:
        self._by_space.pop(space, None)
