"""Feedback, corrections and thumbs-downs as rows, each kind in its table, per space.

A retraction marks the corrections it withdraws (`withdrawn`) instead of deleting them: they stop counting, yet stay
their author's records, so `forget me` still finds and counts them. `forget_author` is one transaction, and
`delete_author` the same work inside a larger one (adapters/database/member_records.py).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.database.engine import Database
from adapters.database.schema import NAME, correction_words, corrections, feedback, thumbs_down
from application.learning.text_matching import normalise
from application.ports.storage import Forgotten, IndexedCorrection
from domain.dataset_rules import normalise_text
from domain.feedback import Correction, Feedback, ThumbsDown
from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.spaces import Space


class SqlFeedbackLog:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def append_feedback(self, space: Space, item: Feedback) -> None:
        async with self._database.writing() as connection:
            await connection.execute(
                insert(feedback).values(
                    space=space.key,
                    text=item.text,
                    author_id=item.author_id,
                    author_name=item.author_name,
                    guild_id=item.guild_id,
                    channel_id=item.channel_id,
                    created_at=item.created_at,
                )
            )

    async def list_feedback(self, space: Space, limit: int) -> Sequence[Feedback]:
        if limit <= 0:
            return []
        query = select(feedback).where(feedback.c.space == space.key).order_by(feedback.c.id.desc()).limit(limit)
        async with self._database.reading() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_feedback(row) for row in reversed(rows)]

    async def append_correction(self, space: Space, correction: Correction) -> None:
        match_key = normalise(correction.user_text)
        async with self._database.writing() as connection:
            added = await connection.execute(
                insert(corrections).values(
                    space=space.key,
                    user_text=correction.user_text,
                    retraction_key=normalise_text(correction.user_text),
                    match_key=match_key,
                    bot_reply=correction.bot_reply,
                    correction=correction.correction,
                    author_id=correction.author_id,
                    guild_id=correction.guild_id,
                    channel_id=correction.channel_id,
                    reply_message_id=correction.reply_message_id,
                    created_at=correction.created_at,
                    answers_intent=correction.answers_intent,
                    withdrawn=False,
                )
            )
            key = added.inserted_primary_key
            assert key is not None  # an insert of one row always has it
            await _index_words(connection, space, int(key[0]), match_key)

    async def append_thumbs_down(self, space: Space, rating: ThumbsDown) -> None:
        async with self._database.writing() as connection:
            await connection.execute(
                insert(thumbs_down).values(
                    space=space.key,
                    user_text=rating.user_text,
                    bot_reply=rating.bot_reply,
                    intent=rating.intent,
                    confidence=rating.confidence,
                    author_id=rating.author_id,
                    asker_id=rating.asker_id,
                    guild_id=rating.guild_id,
                    channel_id=rating.channel_id,
                    reply_message_id=rating.reply_message_id,
                    created_at=rating.created_at,
                )
            )

    async def list_thumbs_down(self, space: Space, limit: int) -> Sequence[ThumbsDown]:
        if limit <= 0:
            return []
        query = (
            select(thumbs_down).where(thumbs_down.c.space == space.key).order_by(thumbs_down.c.id.desc()).limit(limit)
        )
        async with self._database.reading() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_thumbs_down(row) for row in reversed(rows)]

    async def list_corrections(self, space: Space) -> Sequence[Correction]:
        query = (
            select(corrections)
            .where(corrections.c.space == space.key, corrections.c.withdrawn.is_(False))
            .order_by(corrections.c.id)
        )
        async with self._database.reading() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_correction(row) for row in rows]

    async def list_indexed_corrections(self, space: Space) -> Sequence[IndexedCorrection]:
        # The keys computed on append (`match_key`), and only the columns the index needs: a restart's first lookup
        # reads ten thousand corrections, and normalising them again cost more than reading them.
        query = (
            select(corrections.c.match_key, corrections.c.correction, corrections.c.author_id, corrections.c.created_at)
            .where(corrections.c.space == space.key, corrections.c.withdrawn.is_(False))
            .order_by(corrections.c.id)
        )
        async with self._database.reading() as connection:
            rows = (await connection.execute(query)).all()
        return [IndexedCorrection(key, answer, UserId(author), at) for key, answer, author, at in rows]

    async def retract_correction(self, space: Space, user_text: str, at: datetime) -> None:
        withdraw = (
            update(corrections)
            .where(corrections.c.space == space.key, corrections.c.retraction_key == normalise_text(user_text))
            .values(withdrawn=True)
        )
        async with self._database.writing() as connection:
            await connection.execute(withdraw)

    async def forget_author(self, space: Space, author_id: UserId) -> Forgotten:
        async with self._database.writing() as connection:
            forgotten = await delete_author(connection, space, author_id)
        await self._database.scrub()
        return forgotten


async def delete_author(connection: AsyncConnection, space: Space, author_id: UserId) -> Forgotten:
    """Delete `author_id`'s feedback, corrections and thumbs-downs in `space`, within the caller's transaction."""
    removed_feedback = await connection.execute(
        delete(feedback).where(feedback.c.space == space.key, feedback.c.author_id == author_id)
    )
    # Their corrections' words go with them (ON DELETE CASCADE).
    removed_corrections = await connection.execute(
        delete(corrections).where(corrections.c.space == space.key, corrections.c.author_id == author_id)
    )
    # A thumbs-down is theirs whether they gave it or wrote the message it was about.
    removed_ratings = await connection.execute(
        delete(thumbs_down).where(
            thumbs_down.c.space == space.key,
            or_(thumbs_down.c.author_id == author_id, thumbs_down.c.asker_id == author_id),
        )
    )
    return Forgotten(
        feedback=removed_feedback.rowcount,
        corrections=removed_corrections.rowcount,
        thumbs_down=removed_ratings.rowcount,
    )


async def _index_words(connection: AsyncConnection, space: Space, correction_id: int, match_key: str) -> None:
    words = sorted({word[:NAME] for word in match_key.split()})
    if words:
        await connection.execute(
            insert(correction_words),
            [{"correction_id": correction_id, "word": word, "space": space.key} for word in words],
        )


def _user(value: Any) -> UserId | None:
    return UserId(int(value)) if value is not None else None


def _feedback(row: Any) -> Feedback:
    return Feedback(
        text=row["text"],
        author_id=UserId(int(row["author_id"])),
        author_name=row["author_name"],
        guild_id=GuildId(int(row["guild_id"])) if row["guild_id"] is not None else None,
        channel_id=ChannelId(int(row["channel_id"])),
        created_at=row["created_at"],
    )


def _correction(row: Any) -> Correction:
    reply = row["reply_message_id"]
    return Correction(
        user_text=row["user_text"],
        bot_reply=row["bot_reply"],
        correction=row["correction"],
        author_id=UserId(int(row["author_id"])),
        guild_id=GuildId(int(row["guild_id"])) if row["guild_id"] is not None else None,
        channel_id=ChannelId(int(row["channel_id"])),
        reply_message_id=MessageId(int(reply)) if reply is not None else None,
        created_at=row["created_at"],
        answers_intent=row["answers_intent"],
    )


def _thumbs_down(row: Any) -> ThumbsDown:
    return ThumbsDown(
        user_text=row["user_text"],
        bot_reply=row["bot_reply"],
        intent=row["intent"],
        confidence=float(row["confidence"]),
        author_id=UserId(int(row["author_id"])),
        asker_id=_user(row["asker_id"]),
        guild_id=GuildId(int(row["guild_id"])) if row["guild_id"] is not None else None,
        channel_id=ChannelId(int(row["channel_id"])),
        reply_message_id=MessageId(int(row["reply_message_id"])),
        created_at=row["created_at"],
    )
