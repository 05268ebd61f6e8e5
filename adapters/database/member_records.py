"""`forget me` in the database: every table holding a member's records, emptied of theirs in one transaction."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.database.engine import Database
from adapters.database.feedback_log import delete_author
from adapters.database.forget_requests import note_forget
from adapters.database.review_store import delete_member
from adapters.database.voice_log import delete_speaker
from application.ports.storage import Forgotten
from domain.ids import UserId
from domain.spaces import Space


class SqlMemberRecords:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def forget_member(self, spaces: Sequence[Space], member: UserId, at: datetime) -> Forgotten:
        async def forget(connection: AsyncConnection) -> Forgotten:
            forgotten = Forgotten()
            for space in spaces:
                # Noted in the same transaction: a record of theirs kept after this commits is checked against it.
                await note_forget(connection, space, member, at)
                await delete_member(connection, space, member)  # copies of the records counted below
                forgotten += await delete_author(connection, space, member)
                forgotten += Forgotten(voice_turns=await delete_speaker(connection, space, member))
            return forgotten

        forgotten = await self._database.write(forget)
        await self._database.scrub()
        return forgotten
