"""Spoken turns kept as text (`settings voicelog on`), a row each, per space.

Bounded as the file was: past twice `per_space` turns in a space, the append that crossed it also deletes all but
the newest `per_space`, in the same transaction, so the table never holds more than twice the bound per space.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.database.engine import Database
from adapters.database.schema import voice_turns
from domain.ids import ChannelId, UserId
from domain.spaces import Space
from domain.voice_turns import VoiceTurn


class SqlVoiceLog:
    def __init__(self, database: Database, per_space: int = 1000) -> None:
        self._database = database
        self._per_space = per_space

    async def append_turn(self, space: Space, turn: VoiceTurn) -> None:
        async with self._database.writing() as connection:
            await connection.execute(
                insert(voice_turns).values(
                    space=space.key,
                    speaker_id=turn.speaker_id,
                    at=turn.at,
                    voice_channel_id=turn.voice_channel_id,
                    transcript=turn.transcript,
                    answer=turn.answer,
                )
            )
            mine = voice_turns.c.space == space.key
            count = (await connection.execute(select(func.count()).select_from(voice_turns).where(mine))).scalar_one()
            if count > 2 * self._per_space:
                # The oldest turns go: the log is a window on recent talk, not an archive.
                oldest_kept = (
                    select(voice_turns.c.id)
                    .where(mine)
                    .order_by(voice_turns.c.id.desc())
                    .offset(self._per_space - 1)
                    .limit(1)
                    .scalar_subquery()
                )
                await connection.execute(delete(voice_turns).where(mine, voice_turns.c.id < oldest_kept))

    async def list_turns(self, space: Space, limit: int) -> Sequence[VoiceTurn]:
        if limit <= 0:
            return []
        query = (
            select(voice_turns).where(voice_turns.c.space == space.key).order_by(voice_turns.c.id.desc()).limit(limit)
        )
        async with self._database.reading() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_turn(row) for row in reversed(rows)]

    async def forget_speaker(self, space: Space, speaker_id: UserId) -> int:
        async with self._database.writing() as connection:
            removed = await delete_speaker(connection, space, speaker_id)
        await self._database.scrub()
        return removed


async def delete_speaker(connection: AsyncConnection, space: Space, speaker_id: UserId) -> int:
    """Delete the turns `speaker_id` spoke in `space`, within the caller's transaction; how many."""
    theirs = delete(voice_turns).where(voice_turns.c.space == space.key, voice_turns.c.speaker_id == speaker_id)
    removed: int = (await connection.execute(theirs)).rowcount
    return removed


def _turn(row: Any) -> VoiceTurn:
    return VoiceTurn(
        speaker_id=UserId(int(row["speaker_id"])),
        at=row["at"],
        voice_channel_id=ChannelId(int(row["voice_channel_id"])),
        transcript=row["transcript"],
        answer=row["answer"],
    )
