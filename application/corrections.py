"""Corrections take effect at once: a message (or a near-duplicate) that was corrected gets the corrected answer."""

from application.ports.storage import FeedbackLog
from application.text_matching import normalise, similarity
from domain.feedback import Correction
from domain.spaces import Space


class CorrectionOverrides:
    def __init__(self, log: FeedbackLog, near_duplicate: float = 0.8) -> None:
        self._log = log
        self._near_duplicate = near_duplicate
        self._by_space: dict[Space, dict[str, str]] = {}

    async def _table(self, space: Space) -> dict[str, str]:
        table = self._by_space.get(space)
        if table is None:
            table = {}
            for correction in await self._log.list_corrections(space):
                table[normalise(correction.user_text)] = correction.correction
            self._by_space[space] = table
        return table

    async def add(self, space: Space, correction: Correction) -> None:
        table = await self._table(space)
        key = normalise(correction.user_text)
        # Latest wins: re-insert so it is also the most recent in iteration order.
        table.pop(key, None)
        table[key] = correction.correction

    async def lookup(self, space: Space, text: str) -> str | None:
        table = await self._table(space)
        key = normalise(text)
        if key in table:
            return table[key]
        best: tuple[float, str] | None = None
        for known, answer in reversed(table.items()):
            score = similarity(key, known)
            if score >= self._near_duplicate and (best is None or score > best[0]):
                best = (score, answer)
        return best[1] if best else None

    def forget(self, space: Space) -> None:
        self._by_space.pop(space, None)
