"""Where the database's stores keep large bytes (datasets, model artifacts, report pictures): the blobs.

Beside SQLite, on one machine, they stay files under the data root, where they always were (`FileBlobs`). With
PostgreSQL every bot process, on any machine, must reach them, so they are rows of the `blobs` table
(`DatabaseBlobs`): a few MB to some tens of MB each, well within a `bytea`, and in the same transaction as the
row that names them, so no machine needs a shared file system.

A blob is named by its folder in the space (`datasets`, `models`) and a name inside it (`artifact-<random>.bin`,
`reports/report-<random>.png`); a name the stores chose, never a path a user typed.
"""

import asyncio
from pathlib import Path
from typing import Protocol

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.database.engine import Database
from adapters.database.schema import blobs
from adapters.storage.atomic import write_atomic_sync
from adapters.storage.layout import SpaceLayout
from adapters.storage.sandbox import existing_file_inside
from domain.errors import NotFound
from domain.spaces import Space

DATASETS = "datasets"
MODELS = "models"


class Blobs(Protocol):
    async def put(self, connection: AsyncConnection, space: Space, folder: str, name: str, data: bytes) -> None:
        """Keep `data` as `name`, replacing any blob of that name: a row in `connection`'s transaction, or a file
        written (atomically) before that transaction commits. Called from inside it, after the space's lock."""
        ...

    async def read(self, space: Space, folder: str, name: str) -> bytes:
        """The blob's bytes; raises NotFound."""
        ...

    async def discard(self, space: Space, folder: str, name: str) -> None:
        """After the transaction that `put` it failed: its file goes (a row went with the rollback)."""
        ...

    async def taken_by_other(self, space: Space, folder: str, name: str, data: bytes) -> bool:
        """Whether a blob of other contents, one no row names (a file kept before the database), has the name."""
        ...


class FileBlobs:
    def __init__(self, layout: SpaceLayout) -> None:
        self._layout = layout

    async def put(self, connection: AsyncConnection, space: Space, folder: str, name: str, data: bytes) -> None:
        await asyncio.to_thread(write_atomic_sync, self._layout.space(space) / folder / name, data)

    async def read(self, space: Space, folder: str, name: str) -> bytes:
        def read() -> bytes:
            return existing_file_inside(self._layout.space(space) / folder, name).read_bytes()

        try:
            return await asyncio.to_thread(read)
        except FileNotFoundError:  # removed between the check and the read
            raise NotFound(f"{folder}/{name} is missing.") from None

    async def discard(self, space: Space, folder: str, name: str) -> None:
        await asyncio.to_thread((self._layout.space(space) / folder / name).unlink, missing_ok=True)

    async def taken_by_other(self, space: Space, folder: str, name: str, data: bytes) -> bool:
        path = self._layout.space(space) / folder / name
        return await asyncio.to_thread(lambda: path.is_symlink() or (path.exists() and not holds(path, data)))


class DatabaseBlobs:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def put(self, connection: AsyncConnection, space: Space, folder: str, name: str, data: bytes) -> None:
        mine = (blobs.c.space == space.key) & (blobs.c.folder == folder) & (blobs.c.name == name)
        # Delete then insert: the same two statements on SQLite and PostgreSQL, where an upsert differs in each.
        await connection.execute(delete(blobs).where(mine))
        await connection.execute(insert(blobs).values(space=space.key, folder=folder, name=name, data=data))

    async def read(self, space: Space, folder: str, name: str) -> bytes:
        query = select(blobs.c.data).where(blobs.c.space == space.key, blobs.c.folder == folder, blobs.c.name == name)
        async with self._database.reading() as connection:
            data: bytes | None = (await connection.execute(query)).scalar()
        if data is None:
            raise NotFound(f"{folder}/{name} is missing.")
        return bytes(data)

    async def discard(self, space: Space, folder: str, name: str) -> None:
        return None

    async def taken_by_other(self, space: Space, folder: str, name: str, data: bytes) -> bool:
        return False  # every blob row is named by its store's row, in the same transaction


def blobs_for(database: Database, layout: SpaceLayout) -> Blobs:
    """Files beside SQLite (one machine); rows in PostgreSQL (any number of machines)."""
    return FileBlobs(layout) if database.is_sqlite else DatabaseBlobs(database)


def holds(path: Path, data: bytes) -> bool:
    """Whether `path` is a regular file of exactly `data`."""
    if path.is_symlink() or not path.is_file():
        return False
    return path.stat().st_size == len(data) and path.read_bytes() == data
