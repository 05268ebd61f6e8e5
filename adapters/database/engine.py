"""Opening the database: one async engine per process, from `storage.database_url`, migrated before first use.

SQLite is tuned for several processes on one file: write-ahead logging (readers never wait for the writer),
foreign keys on (off by default in SQLite), and a busy timeout, so a writer waits for another process's
transaction instead of failing at once. A transaction that will write takes SQLite's write lock when it begins
(`BEGIN IMMEDIATE`, see `Database.writing`): a read-then-write transaction that only asked for the lock at its
first write could find the file changed meanwhile and fail, where waiting its turn is what we want.
"""

import asyncio
import hashlib
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

import structlog
from sqlalchemy import event, text
from sqlalchemy.engine import AdaptedConnection, Connection, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, PoolResetState

from adapters.database.migrate import Migrated, upgrade
from adapters.storage.atomic import PRIVATE_FILE, make_private_folders
from domain.errors import BackendUnavailable
from domain.redaction import mask_url, mask_urls_in

log = structlog.get_logger("parrot.database")
UNWRITABLE = "I could not save that: my storage is full or not writable. The admins can see it in the log."

BUSY_TIMEOUT_MS = 10_000
# A write that lost a race to insert the same key (two processes' first settings of a space) is tried again.
WRITE_TRIES = 5
T = TypeVar("T")
_WRITE = "parrot_write"
# Marks a pooled SQLite connection whose last transaction was committed and awaited to its end.
_CLEAN = "parrot_clean"


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
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def masked_url(self) -> str:
        return mask_url(self.engine.url.render_as_string(hide_password=False))

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        async with self._ready(), self._transaction(write=False) as connection:
            yield connection

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncConnection]:
        """One transaction: committed whole when the block ends, rolled back whole if it raises."""
        async with self._ready(), self._transaction(write=True) as connection:
            yield connection

    @asynccontextmanager
    async def _ready(self) -> AsyncIterator[None]:
        """Migrated first; a database that cannot be opened or written (a full disk, a server gone) becomes the
        refusal users understand, the details in the log, as the files' storage errors do."""
        try:
            await self.start()
            yield
        except DatabaseUnavailable as error:
            log.error("database unavailable", error=str(error))
            raise BackendUnavailable(UNWRITABLE) from error
        except IntegrityError:
            raise  # a lost race, settled by `write`
        except (OSError, DBAPIError) as error:
            log.error("database statement failed", url=self.masked_url, error=mask_urls_in(str(error)))
            raise BackendUnavailable(UNWRITABLE) from error

    async def lock_space(self, connection: AsyncConnection, space_key: str) -> None:
        """Hold the space's lock until this writing transaction ends: its next version number, dataset name or
        first settings row is chosen by one writer at a time. SQLite's writing transactions hold the whole file's
        lock already; PostgreSQL takes an advisory lock named after the space."""
        if connection.dialect.name != "postgresql":
            return
        key = int.from_bytes(
            hashlib.blake2b(f"parrot:{space_key}".encode(), digest_size=8).digest(), "big", signed=True
        )
        await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

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
            # Reached only once the commit returned: nothing of this transaction is still queued for the driver,
            # so the connection goes back to the pool clean and its reset (`_on_reset`) may skip the rollback.
            sync = connection.sync_connection
            if self.is_sqlite and sync is not None:
                sync.connection.info[_CLEAN] = True

    async def scrub(self) -> None:
        """After deleting someone's records: SQLite's write-ahead log still holds the pages as they were, so it is
        copied into the database and emptied. Nothing to do on PostgreSQL, whose old row versions only its own
        files hold."""
        if not self.is_sqlite:
            return
        async with self.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    async def close(self) -> None:
        await self.engine.dispose()


def open_database(url: str) -> Database:
    """An engine for `url` (`sqlite+aiosqlite:///...` or `postgresql+asyncpg://...`); SQLite's folder is made."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # Connections are checked before use: a PostgreSQL restart must not fail the next command.
        return Database(create_async_engine(parsed, pool_pre_ping=True))
    if parsed.database:
        path = Path(parsed.database)
        make_private_folders(path.parent)
        # Users' records, private whatever the umask; SQLite gives its -wal and -shm files the same mode.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))
        for made in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
            _make_private(made)
    # The pool's rollback of every returned connection is the `reset` below, which skips it when nothing is open.
    engine = create_async_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, pool_reset_on_return=None)
    _tune_sqlite(engine)
    return Database(engine)


def _make_private(path: Path) -> None:
    """A database file made under a lax umask, or copied in by hand, becomes 0600 like the ones Parrot makes."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    if mode & 0o077:
        path.chmod(PRIVATE_FILE)


def _use_write_ahead_log(adapted: AdaptedConnection, cursor: Any) -> None:
    """Switch the file to write-ahead logging, which it then keeps: the first connection to a new file does it.

    Several processes opening a new file at once (shards starting together) may each try while another holds a lock
    there, and SQLite refuses the switch at once, without the busy timeout's wait that statements get. A refused
    connection looks again, waiting without blocking the event loop, until the file is in WAL or the timeout is over.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        cursor.execute("PRAGMA journal_mode")
        if str(cursor.fetchone()[0]).lower() == "wal":
            return
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.fetchall()
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            adapted.run_async(lambda _driver: asyncio.sleep(0.02))


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own implicit transactions are off: SQLAlchemy's `begin` below says how each one starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        _use_write_ahead_log(dbapi_connection, cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        # A deleted record's bytes are overwritten, not left in a free page: `forget me` means gone from the disk.
        cursor.execute("PRAGMA secure_delete=ON")
        # Each commit reaches the disk before it is acknowledged, as the files' fsync promised: a power cut too.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return  # a statement that must run outside any transaction (`scrub`)
        statement = "BEGIN IMMEDIATE" if options.get(_WRITE, False) else "BEGIN"
        # Straight to the driver: one trip to its thread, where a statement through SQLAlchemy's cursor takes three
        # (open, execute, close), and each costs about 0.15 ms of an append (bench/storage.py).
        adapted = cast(AdaptedConnection, connection.connection.dbapi_connection)
        try:
            adapted.run_async(lambda driver: driver.execute(statement))
        except sqlite3.Error as error:
            # As SQLAlchemy raises it for any statement: a database locked past the busy timeout, a full disk.
            raise OperationalError(statement, None, error) from error

    @event.listens_for(engine.sync_engine, "reset")
    def _on_reset(dbapi_connection: Any, record: ConnectionPoolEntry, reset: PoolResetState) -> None:
        """A connection back in the pool is rolled back unless its transaction was committed to the end: after a
        commit the pool's rollback would be one more trip for nothing. Any other way back (an error, a task
        cancelled, even inside its BEGIN or its rollback, whose work the driver's thread may still be doing) is
        rolled back, queued behind whatever the driver still has to do, so no transaction outlives its task."""
        if record.info.pop(_CLEAN, False) or reset.terminate_only:
            return  # committed and done; or closed, not reused
        dbapi_connection.rollback()
