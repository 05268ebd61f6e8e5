"""What Parrot answered since it started, per space: counts per day and the messages worth a second look.

A read model fed by events (ReplyProduced, ReplyCorrected), so no handler needs to know the review page exists.
Nothing here is user data of record: corrections live in the feedback log, and ignoring only hides an entry.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from application.messagebus import BusMessage
from application.ports.clock import Clock
from application.text_matching import normalise
from domain.events import ReplyCorrected, ReplyProduced
from domain.ids import ChannelId
from domain.spaces import Space

PENDING = "pending"
ANSWERED = "answered"
IGNORED = "ignored"

UNSURE = "unsure"
CORRECTED = "corrected"


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One message to review: what was asked, what Parrot guessed, and how sure it was."""

    text: str
    intent: str
    confidence: float
    channel_id: ChannelId
    at: datetime
    reason: str
    reply: str
    state: str = PENDING
    answer: str = ""


@dataclass(frozen=True, slots=True)
class DayCounts:
    answered: int = 0
    unsure: int = 0


class ActivityLog:
    def __init__(self, clock: Clock, per_space: int = 1000) -> None:
        self._clock = clock
        self._per_space = per_space
        self._items: dict[Space, dict[str, ReviewItem]] = {}
        self._days: dict[Space, dict[date, DayCounts]] = {}

    async def on_reply(self, event: ReplyProduced) -> Sequence[BusMessage]:
        space = event.message.space
        now = event.message.created_at or self._clock.now()
        today = self._clock.now().date()
        days = self._days.setdefault(space, {})
        counts = days.get(today, DayCounts())
        unsure = not event.reply.confident
        days[today] = DayCounts(counts.answered + 1, counts.unsure + int(unsure))
        for old in sorted(days)[:-31]:
            del days[old]
        if unsure:
            self._put(
                space,
                ReviewItem(
                    text=event.user_text[:300],
                    intent=event.reply.intent or "",
                    confidence=event.reply.confidence or 0.0,
                    channel_id=event.message.channel_id,
                    at=now,
                    reason=UNSURE,
                    reply=event.reply.text[:300],
                ),
            )
        return ()

    async def on_corrected(self, event: ReplyCorrected) -> Sequence[BusMessage]:
        correction = event.correction
        key = normalise(correction.user_text)
        entries = self._items.setdefault(event.space, {})
        known = entries.get(key)
        if known is not None and known.state == PENDING:
            # An answer to a message waiting for one: done.
            entries[key] = replace(known, state=ANSWERED, answer=correction.correction)
        elif known is None:
            # A user corrected a reply in the chat: worth an admin's look.
            self._put(
                event.space,
                ReviewItem(
                    text=correction.user_text[:300],
                    intent="",
                    confidence=1.0,
                    channel_id=correction.channel_id,
                    at=correction.created_at,
                    reason=CORRECTED,
                    reply=correction.bot_reply[:300],
                    answer=correction.correction,
                ),
            )
        else:
            entries[key] = replace(known, answer=correction.correction)
        return ()

    def ignore(self, space: Space, texts: Sequence[str]) -> int:
        """Hide pending entries from the inbox; they stay listed under "ignored"."""
        entries = self._items.get(space, {})
        count = 0
        for text in texts:
            key = normalise(text)
            item = entries.get(key)
            if item is not None and item.state == PENDING:
                entries[key] = replace(item, state=IGNORED)
                count += 1
        return count

    def items(self, space: Space) -> list[ReviewItem]:
        return list(self._items.get(space, {}).values())

    def today(self, space: Space) -> DayCounts:
        return self._days.get(space, {}).get(self._clock.now().date(), DayCounts())

    def _put(self, space: Space, item: ReviewItem) -> None:
        entries = self._items.setdefault(space, {})
        entries.pop(normalise(item.text), None)
        entries[normalise(item.text)] = item
        while len(entries) > self._per_space:
            # The oldest entry goes first: the inbox is a window on recent talk, not an archive.
            del entries[next(iter(entries))]
