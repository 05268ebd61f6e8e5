"""Bringing the schema up to date with the Alembic migrations shipped in `migrations/`: at start-up, before any
store is read (`Database.start`), and by `parrot migrate`. Nobody runs SQL by hand.

Several processes may start at once: the upgrade runs in one writing transaction (SQLite's write lock; on
PostgreSQL also an advisory lock, since its DDL does not lock what does not exist yet), so the second to get it
finds the schema current and does nothing.
"""

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any constant shared by every Parrot process: the key of PostgreSQL's advisory lock for migrating.
_LOCK_KEY = 0x5A77_0001


@dataclass(frozen=True, slots=True)
class Migrated:
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


async def upgrade(connection: AsyncConnection) -> Migrated:
    """Apply every migration not applied yet, in the caller's writing transaction; the revision before and after."""
    if connection.dialect.name == "postgresql":
        await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    return await connection.run_sync(_upgrade)


def _upgrade(connection: Connection) -> Migrated:
    before = _current(connection)
    command.upgrade(_config(connection), "head")
    return Migrated(before, _current(connection))


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config
