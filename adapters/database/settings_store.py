"""Each space's settings as one row, and its listening opt-outs as a row per member.

`update` is a read-modify-write in one writing transaction under the space's lock (`Database.lock_space`: on
SQLite the transaction holds the write lock from its start), so no other writer, in this process or another,
interleaves, not even the first two writes of a new space, which both insert its row.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.database.engine import Database
from adapters.database.schema import listening_opt_outs, space_settings
from application.ports.storage import SpaceSettings
from domain.ids import UserId
from domain.spaces import Space

SettingsChange = Callable[[SpaceSettings], SpaceSettings]


class SqlSettingsStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def load(self, space: Space) -> SpaceSettings:
        async with self._database.reading() as connection:
            return (await read_settings(connection, space, lock=False))[0]

    async def save(self, space: Space, settings: SpaceSettings) -> None:
        await self.update(space, lambda _: settings)

    async def update(self, space: Space, change: SettingsChange) -> SpaceSettings:
        async def apply(connection: AsyncConnection) -> SpaceSettings:
            await self._database.lock_space(connection, space.key)
            return await update_settings(connection, space, change)

        return await self._database.write(apply)


async def read_settings(connection: AsyncConnection, space: Space, lock: bool) -> tuple[SpaceSettings, bool]:
    """The space's settings, and whether its row exists; with `lock`, the row stays locked until the commit."""
    query = select(space_settings).where(space_settings.c.space == space.key)
    row = (await connection.execute(query.with_for_update() if lock else query)).mappings().first()
    opted_out = await connection.execute(
        select(listening_opt_outs.c.user_id).where(listening_opt_outs.c.space == space.key)
    )
    members = frozenset(UserId(int(user)) for user in opted_out.scalars())
    if row is None:
        return SpaceSettings(listening_opted_out=members), False
    return _settings(row, members), True


async def update_settings(connection: AsyncConnection, space: Space, change: SettingsChange) -> SpaceSettings:
    """Read, change and write the settings inside the caller's writing transaction."""
    current, exists = await read_settings(connection, space, lock=True)
    settings = change(current)
    values = {
        "active_dataset": settings.active_dataset,
        "active_model": settings.active_model,
        "language": settings.language,
        "transcribe_voice": settings.transcribe_voice,
        "spoken_replies": settings.spoken_replies,
        "languages": list(settings.languages),
        "keep_starter": settings.keep_starter,
        "keep_voice_transcripts": settings.keep_voice_transcripts,
    }
    if exists:
        await connection.execute(update(space_settings).where(space_settings.c.space == space.key).values(values))
    else:
        await connection.execute(insert(space_settings).values(space=space.key, **values))
    if settings.listening_opted_out != current.listening_opted_out:
        await connection.execute(delete(listening_opt_outs).where(listening_opt_outs.c.space == space.key))
        if settings.listening_opted_out:
            await connection.execute(
                insert(listening_opt_outs),
                [{"space": space.key, "user_id": user} for user in sorted(settings.listening_opted_out)],
            )
    return settings


def _settings(row: Any, opted_out: frozenset[UserId]) -> SpaceSettings:
    languages = row["languages"]
    return SpaceSettings(
        active_dataset=row["active_dataset"],
        active_model=row["active_model"],
        language=row["language"],
        transcribe_voice=bool(row["transcribe_voice"]),
        spoken_replies=bool(row["spoken_replies"]),
        languages=tuple(str(code) for code in languages) if isinstance(languages, list) else (),
        keep_starter=row["keep_starter"],
        listening_opted_out=opted_out,
        keep_voice_transcripts=bool(row["keep_voice_transcripts"]),
    )
