"""What Parrot answered, per space: counts per day and the messages worth a second look.

A read model fed by events (ReplyProduced, ReplyCorrected, ReplyRatedDown), so no handler needs to know the
review page exists. Its entries are kept in a ReviewStore, so the inbox and its "ignored" marks survive a restart;
the store is bounded to the newest entries per space. Corrections and thumbs-downs of record live in the feedback
log; ignoring only hides an entry. Today's counts start again from zero on a restart.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TypeVar

from application.learning.text_matching import normalise
from application.messagebus import BusMessage
from application.ports.clock import Clock
from application.ports.review import ANSWERED, IGNORED, PENDING, ReviewItem, ReviewStore
from application.ports.storage import ForgetRequests
from domain.events import ReplyCorrected, ReplyProduced, ReplyRatedDown
from domain.ids import UserId
from domain.spaces import Space
from domain.text import Part, Text

__all__ = ["ANSWERED", "IGNORED", "PENDING", "ActivityLog", "DayCounts", "ReviewItem"]

UNSURE = "unsure"
CORRECTED = "corrected"
THUMBS_DOWN = "thumbs-down"
REPLY_CHARS = 300
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class DayCounts:
    answered: int = 0
    unsure: int = 0


class ActivityLog:
    def __init__(self, clock: Clock, store: ReviewStore, forgotten: ForgetRequests, per_space: int = 1000) -> None:
        self._clock = clock
        self._store = store
        # When each member last asked to be forgotten, per space (kept with the records, for every process): a
        # message of theirs asked before it but answered after it (a spoken turn, a message in another channel) is
        # not kept either.
        self._forgotten = forgotten
        self._per_space = per_space
        self._items: dict[Space, dict[str, ReviewItem]] = {}
        self._records: dict[Space, int] = {}  # records in the store, to know when to compact it
        self._days: dict[Space, dict[date, DayCounts]] = {}
        self._lock = asyncio.Lock()

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
        author = event.message.author.id
        if unsure and event.keep_words and not await self._forgotten_since(space, author, now):
            await self._put(
                space,
                ReviewItem(
                    text=event.user_text[:300],
                    intent=event.reply.intent or "",
                    confidence=event.reply.confidence or 0.0,
                    channel_id=event.message.channel_id,
                    at=now,
                    reason=UNSURE,
                    reply=clipped(event.reply.said or event.reply.text),
                    author_id=event.message.author.id,
                    unanswered=event.reply.unanswered,
                ),
            )
            if await self._forgotten_since(space, author, now):
                await self._remove(space, author)  # a `forget me` came meanwhile: it asked for this one too
        return ()

    async def on_corrected(self, event: ReplyCorrected) -> Sequence[BusMessage]:
        correction = event.correction
        entries = await self._entries(event.space)
        known = entries.get(normalise(correction.user_text))
        if known is not None and known.state == PENDING:
            # An answer to a message waiting for one: done.
            await self._put(event.space, replace(known, state=ANSWERED, answer=correction.correction))
        elif known is None:
            # A user corrected a reply in the chat: it already has its answer, so nothing waits; it is listed as
            # corrected, with the model's guess it replaced, for an admin who wants to see what users fix.
            await self._put(
                event.space,
                ReviewItem(
                    text=correction.user_text[:300],
                    intent=event.intent,
                    confidence=event.confidence if event.confidence is not None else 0.0,
                    channel_id=correction.channel_id,
                    at=correction.created_at,
                    reason=CORRECTED,
                    reply=clipped(event.said or correction.bot_reply),
                    state=ANSWERED,
                    answer=correction.correction,
                    author_id=correction.author_id,
                ),
            )
        else:
            await self._put(event.space, replace(known, answer=correction.correction))
        return ()

    async def on_rated_down(self, event: ReplyRatedDown) -> Sequence[BusMessage]:
        rating = event.rating
        entries = await self._entries(event.space)
        known = entries.get(normalise(rating.user_text))
        # A thumbs-down reopens a message answered or ignored before: the answer did not satisfy.
        await self._put(
            event.space,
            ReviewItem(
                text=rating.user_text[:300],
                intent=rating.intent,
                confidence=rating.confidence,
                channel_id=rating.channel_id,
                at=rating.created_at,
                reason=THUMBS_DOWN,
                reply=clipped(event.said or rating.bot_reply),
                answer=known.answer if known is not None else "",
                author_id=rating.asker_id,
                rater_id=rating.author_id,
                unanswered=event.unanswered,
            ),
        )
        return ()

    async def ignore(self, space: Space, texts: Sequence[str]) -> int:
        """Hide pending entries from the inbox; they stay listed under "ignored"."""
        entries = await self._entries(space)
        count = 0
        for text in texts:
            item = entries.get(normalise(text))
            if item is not None and item.state == PENDING:
                await self._put(space, replace(item, state=IGNORED))
                count += 1
        return count

    async def forget_author(self, spaces: Sequence[Space], author_id: UserId, delete: Callable[[], Awaitable[T]]) -> T:
        """Run `delete`, which removes `author_id`'s records from the store (and notes their `forget me`), then drop
        the entries they wrote or rated down in `spaces` from memory; no entry is written meanwhile, so no rewrite
        of the store brings theirs back. `delete`'s result; if it raises, nothing changed here either."""
        async with self._lock:
            done = await delete()
            for space in spaces:
                entries = self._items.get(space, {})
                for key in [key for key, item in entries.items() if author_id in (item.author_id, item.rater_id)]:
                    del entries[key]
        return done

    async def _remove(self, space: Space, author_id: UserId) -> int:
        entries = await self._entries(space)
        theirs = [key for key, item in entries.items() if author_id in (item.author_id, item.rater_id)]
        if not theirs:
            return 0
        async with self._lock:
            for key in theirs:
                del entries[key]
            await self._store.rewrite(space, list(entries.values()))
            self._records[space] = len(entries)
        return len(theirs)

    async def items(self, space: Space) -> list[ReviewItem]:
        return list((await self._entries(space)).values())

    async def _forgotten_since(self, space: Space, author_id: UserId, asked: datetime) -> bool:
        forgotten = await self._forgotten.last(space, author_id)
        return forgotten is not None and asked <= forgotten

    def today(self, space: Space) -> DayCounts:
        return self._days.get(space, {}).get(self._clock.now().date(), DayCounts())

    async def _entries(self, space: Space) -> dict[str, ReviewItem]:
        """The space's entries, read from the store the first time the space is asked about."""
        entries = self._items.get(space)
        if entries is not None:
            return entries
        async with self._lock:
            entries = self._items.get(space)
            if entries is None:
                records = await self._store.load(space)
                entries = {}
                for record in records:
                    if record.reason == CORRECTED and record.state == PENDING:
                        # Kept by an earlier version, which left chat corrections waiting though they had their
                        # answer: they are done.
                        record = replace(record, state=ANSWERED)
                    entries.pop(normalise(record.text), None)
                    entries[normalise(record.text)] = record
                self._trim(entries)
                self._items[space] = entries
                self._records[space] = len(records)
        return entries

    async def _put(self, space: Space, item: ReviewItem) -> None:
        entries = await self._entries(space)
        async with self._lock:
            key = normalise(item.text)
            entries.pop(key, None)
            entries[key] = item
            self._trim(entries)
            records = self._records.get(space, 0) + 1
            if records > 2 * self._per_space:
                # Superseded records and entries past the bound go: the file stays within twice the bound.
                await self._store.rewrite(space, list(entries.values()))
                records = len(entries)
            else:
                await self._store.append(space, item)
            self._records[space] = records

    def _trim(self, entries: dict[str, ReviewItem]) -> None:
        while len(entries) > self._per_space:
            # The oldest entry goes first: the inbox is a window on recent talk, not an archive.
            del entries[next(iter(entries))]


def clipped(reply: Text | str, limit: int = REPLY_CHARS) -> Text | str:
    """`reply` cut to about `limit` characters, its parts kept whole but for a last plain one: enough to recognise."""
    if isinstance(reply, str):
        return reply[:limit]
    kept: list[Part] = []
    used = 0
    for part in reply.parts:
        size = len(part) if isinstance(part, str) else len(str(Text((part,))))
        if used + size > limit:
            if isinstance(part, str):
                kept.append(part[: limit - used])
            break
        kept.append(part)
        used += size
    return Text(tuple(kept))
