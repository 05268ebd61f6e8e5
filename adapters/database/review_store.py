"""The review inbox's records, a row each, per space; the latest record of a message wins (the inbox decides).

A reply kept as a `Text` keeps its typed parts (`reply_parts`, JSON) beside its plain rendering, as the file did.
Bounded in the database too: an append past twice `per_space` records in a space deletes the oldest beyond that in
the same transaction (the inbox itself rewrites its records to its newest entries long before, see
application/review/activity.py; this holds however many processes append).
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.database.engine import Database
from adapters.database.reply_parts import reply_from, reply_parts
from adapters.database.schema import review_items
from application.ports.review import PENDING, ReviewItem
from application.review.forgetting import RecordOwners, records_to_forget
from domain.ids import ChannelId, UserId
from domain.spaces import Space

# Ids per DELETE: well under SQLite's limit on a statement's parameters.
DELETE_BATCH = 500


class SqlReviewStore:
    def __init__(self, database: Database, per_space: int = 1000) -> None:
        self._database = database
        self._per_space = per_space

    async def load(self, space: Space) -> Sequence[ReviewItem]:
        query = select(review_items).where(review_items.c.space == space.key).order_by(review_items.c.id)
        async with self._database.reading() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_item(row) for row in rows]

    async def append(self, space: Space, item: ReviewItem) -> None:
        async with self._database.writing() as connection:
            await connection.execute(insert(review_items).values(_values(space, item)))
            await self._bound(connection, space)

    async def rewrite(self, space: Space, items: Sequence[ReviewItem]) -> None:
        async with self._database.writing() as connection:
            await connection.execute(delete(review_items).where(review_items.c.space == space.key))
            if items:
                await connection.execute(insert(review_items), [_values(space, item) for item in items])
        # A rewrite is how `forget me` removes a member's entries: their bytes leave the disk too.
        await self._database.scrub()

    async def _bound(self, connection: AsyncConnection, space: Space) -> None:
        mine = review_items.c.space == space.key
        most = 2 * self._per_space
        count = (await connection.execute(select(func.count()).select_from(review_items).where(mine))).scalar_one()
        if count > most:
            oldest_kept = (
                select(review_items.c.id)
                .where(mine)
                .order_by(review_items.c.id.desc())
                .offset(most - 1)
                .limit(1)
                .scalar_subquery()
            )
            await connection.execute(delete(review_items).where(mine, review_items.c.id < oldest_kept))


async def delete_member(connection: AsyncConnection, space: Space, member: UserId) -> int:
    """Delete the records `forget me` removes for `member` in `space` (application/review/forgetting.py), within
    the caller's transaction; how many."""
    columns = (review_items.c.id, review_items.c.text, review_items.c.author_id, review_items.c.rater_id)
    rows = (
        await connection.execute(select(*columns).where(review_items.c.space == space.key).order_by(review_items.c.id))
    ).all()
    owners = [RecordOwners(row.text, _user(row.author_id), _user(row.rater_id)) for row in rows]
    doomed = [rows[position].id for position in records_to_forget(owners, member)]
    for start in range(0, len(doomed), DELETE_BATCH):
        await connection.execute(
            delete(review_items).where(review_items.c.id.in_(doomed[start : start + DELETE_BATCH]))
        )
    return len(doomed)


def _values(space: Space, item: ReviewItem) -> dict[str, Any]:
    return {
        "space": space.key,
        "text": item.text,
        "intent": item.intent,
        "confidence": item.confidence,
        "channel_id": item.channel_id,
        "at": item.at,
        "reason": item.reason,
        "reply": str(item.reply),
        "reply_parts": reply_parts(item.reply),
        "state": item.state,
        "answer": item.answer,
        "author_id": item.author_id,
        "rater_id": item.rater_id,
        "unanswered": item.unanswered,
    }


def _user(value: Any) -> UserId | None:
    return UserId(int(value)) if value is not None else None


def _item(row: Any) -> ReviewItem:
    return ReviewItem(
        text=row["text"],
        intent=row["intent"],
        confidence=float(row["confidence"]),
        channel_id=ChannelId(int(row["channel_id"])),
        at=row["at"],
        reason=row["reason"],
        reply=reply_from(row["reply"], row["reply_parts"]),
        state=row["state"] or PENDING,
        answer=row["answer"],
        author_id=_user(row["author_id"]),
        rater_id=_user(row["rater_id"]),
        unanswered=bool(row["unanswered"]),
    )
