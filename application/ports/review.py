"""Where the review inbox keeps its entries, so unsure messages, thumbs-downs and "ignored" marks survive a restart."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from domain.ids import ChannelId, UserId
from domain.spaces import Space
from domain.text import Text

PENDING = "pending"
ANSWERED = "answered"
IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One message to review: what was asked, what Parrot guessed, and how sure it was.

    `author_id` wrote the message, `rater_id` gave it a thumbs-down: `forget me` removes the entry for either.
    `reply` is Parrot's reply before any chat's markup where it was known (a `Text`), so each page or driver shows
    it in its own; entries kept before that hold the reply as the chat showed it (a `str`). `unanswered`: the
    reply only named `intent`, which has no answer, so an answer given here becomes that intent's answer.
    """

    text: str
    intent: str
    confidence: float
    channel_id: ChannelId
    at: datetime
    reason: str
    reply: Text | str
    state: str = PENDING
    answer: str = ""
    author_id: UserId | None = None
    rater_id: UserId | None = None
    unanswered: bool = False


@runtime_checkable
class ReviewStore(Protocol):
    """Entries per space, written as they change: the latest record of a message (by its normalised text) wins."""

    async def load(self, space: Space) -> Sequence[ReviewItem]:
        """Every record kept, oldest first (the same message may appear more than once)."""
        ...

    async def append(self, space: Space, item: ReviewItem) -> None:
        """Record an entry as it is now; acknowledged once on disk."""
        ...

    async def rewrite(self, space: Space, items: Sequence[ReviewItem]) -> None:
        """Replace the records with `items` atomically: how the store stays bounded."""
        ...
