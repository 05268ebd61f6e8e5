"""Each member's last `forget me`, per space, as a row: every bot process on the database sees it, and it outlasts a
restart, so a turn heard before it is dropped wherever and whenever it is answered."""

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.database.engine import Database
from adapters.database.schema import forget_requests
from domain.ids import UserId
from domain.spaces import Space


class SqlForgetRequests:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def note(self, space: Space, member: UserId, at: datetime) -> None:
        await self._database.write(lambda connection: note_forget(connection, space, member, at))

    async def last(self, space: Space, member: UserId) -> datetime | None:
        query = select(forget_requests.c.at).where(
            forget_requests.c.space == space.key, forget_requests.c.user_id == member
        )
        async with self._database.reading() as connection:
            found: datetime | None = (await connection.execute(query)).scalar()
        return found


async def note_forget(connection: AsyncConnection, space: Space, member: UserId, at: datetime) -> None:
    """Keep `at` as `member`'s latest `forget me` in `space`, within the caller's transaction (one that
    `Database.write` runs again if another process inserted the same row first)."""
    mine = (forget_requests.c.space == space.key) & (forget_requests.c.user_id == member)
    changed = await connection.execute(update(forget_requests).where(mine).values(at=at))
    if changed.rowcount == 0:
        await connection.execute(insert(forget_requests).values(space=space.key, user_id=member, at=at))
