"""The messages the model was least sure about, per space, so admins can label them."""

import heapq
from dataclasses import dataclass

from application.learning.text_matching import normalise
from domain.ids import MessageId, UserId
from domain.spaces import Space


@dataclass(frozen=True, slots=True)
class UncertainMessage:
    text: str
    intent: str
    confidence: float
    author_id: UserId | None = None
    # What the guessed intent would have answered (None for data without answers), and the unsure reply it got.
    answer: str | None = None
    reply_message_id: MessageId | None = None


class UncertainMessages:
    def __init__(self, per_space: int = 200) -> None:
        self._per_space = per_space
        self._by_space: dict[Space, dict[str, UncertainMessage]] = {}

    def record(
        self,
        space: Space,
        text: str,
        intent: str,
        confidence: float,
        author_id: UserId | None = None,
        *,
        answer: str | None = None,
        reply_message_id: MessageId | None = None,
    ) -> None:
        entries = self._by_space.setdefault(space, {})
        entries[normalise(text)] = UncertainMessage(
            text[:300], intent, confidence, author_id, answer and answer[:300], reply_message_id
        )
        if len(entries) > self._per_space:
            # Keep the least sure: drop the most confident entry.
            most_sure = max(entries, key=lambda key: entries[key].confidence)
            del entries[most_sure]

    def forget(self, space: Space, text: str) -> None:
        self._by_space.get(space, {}).pop(normalise(text), None)

    def forget_author(self, space: Space, author_id: UserId) -> int:
        """Drop the messages `author_id` wrote in `space`; how many there were."""
        entries = self._by_space.get(space, {})
        theirs = [key for key, entry in entries.items() if entry.author_id == author_id]
        for key in theirs:
            del entries[key]
        return len(theirs)

    def least_sure(self, space: Space, count: int) -> list[UncertainMessage]:
        entries = self._by_space.get(space, {}).values()
        return heapq.nsmallest(count, entries, key=lambda entry: entry.confidence)
