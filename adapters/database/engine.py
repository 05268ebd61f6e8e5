"""Opening the database: one async engine per process, from `storage.database_url`, migrated before first use.

SQLite is tuned for several processes on one file: write-ahead logging (readers never wait for the writer),
foreign keys on (off by default in SQLite), and a busy timeout, so a writer waits for another process's
transaction instead of failing at once. A transaction that will write takes SQLite's write lock when it begins
(`BEGIN IMMEDIATE`, see `Database.writing`): a read-then-write transaction that only asked for the lock at its
first write could find the file changed meanwhile and fail, where waiting its turn is what we want.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from adapters.database.migrate import Migrated, upgrade
from adapters.storage.atomic import make_private_folders
from domain.redaction import mask_url, mask_urls_in

BUSY_TIMEOUT_MS = 10_000
# A write that lost a race to insert the same key (two processes' first settings of a space) is tried again.
WRITE_TRIES = 5
T = TypeVar("T")
_WRITE = "parrot_write"


class DatabaseUnavailable(Exception):
    """The database cannot be reached or migrated; the message names it, its password masked."""


class Database:
    """The engine, and the two kinds of transaction the stores open: reading and writing.

    The schema is brought up to date once, before the first transaction (or by `start`, which start-up calls so
    that a database that cannot be reached or migrated stops Parrot at once, not at the first message).
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._migrated: Migrated | None = None
        self._starting = asyncio.Lock()

    async def start(self) -> Migrated:
        """Apply the migrations not applied yet (once per process); the revision before and after."""
        if self._migrated is not None:
            return self._migrated
        async with self._starting:
            if self._migrated is None:
                try:
                    async with self._transaction(write=True) as connection:
                        self._migrated = await upgrade(connection)
                except (OSError, SQLAlchemyError) as error:
                    raise DatabaseUnavailable(
                        f"the database {self.masked_url} cannot be opened or migrated: "
                        f"{type(error).__name__}: {mask_urls_in(str(error))}"
                    ) from error
        return self._migrated

    @property
    def masked_url(self) -> str:
        return mask_url(self.engine.url.render_as_string(hide_password=False))

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        await self.start()
        async with self._transaction(write=False) as connection:
            yield connection

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncConnection]:
        """One transaction: committed whole when the block ends, rolled back whole if it raises."""
        await self.start()
        async with self._transaction(write=True) as connection:
            yield connection

    async def write(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """`work` in one writing transaction, run again from the start if another writer inserted a key first."""
        for attempt in range(WRITE_TRIES):
            try:
                async with self.writing() as connection:
                    return await work(connection)
            except IntegrityError:
                if attempt == WRITE_TRIES - 1:
                    raise
        raise AssertionError("unreachable")

    @asynccontextmanager
    async def _transaction(self, write: bool) -> AsyncIterator[AsyncConnection]:
        async with self.engine.connect() as connection:
            if write:
                await connection.execution_options(**{_WRITE: True})
            async with connection.begin():
                yield connection

    async def close(self) -> None:
        await self.engine.dispose()


def open_database(url: str) -> Database:
    """An engine for `url` (`sqlite+aiosqlite:///...` or `postgresql+asyncpg://...`); SQLite's folder is made."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # Connections are checked before use: a PostgreSQL restart must not fail the next command.
        return Database(create_async_engine(parsed, pool_pre_ping=True))
    if parsed.database:
        make_private_folders(Path(parsed.database).parent)
    engine = create_async_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    _tune_sqlite(engine)
    return Database(engine)


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own implicit transactions are off: SQLAlchemy's `begin` below says how each one starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # Each commit reaches the disk before it is acknowledged, as the files' fsync promised: a power cut too.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        writes = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")
