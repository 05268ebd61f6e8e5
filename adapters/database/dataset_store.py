"""Datasets of a space: their names, sizes and hashes in the database, their bytes files under its `datasets/`.

A saved dataset never replaces a different one: the name is chosen in one writing transaction (so two uploads at
once, even from two processes, never share one), and a name is taken if the database lists it or a file of other
contents already has it (one kept before the database), so no upload overwrites a file.
"""

import asyncio
import hashlib
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.database.engine import Database
from adapters.database.schema import datasets
from adapters.storage.atomic import write_atomic_sync
from adapters.storage.dataset_store import MAX_VERSIONS, dataset_names, holds
from adapters.storage.layout import SpaceLayout
from adapters.storage.sandbox import existing_file_inside, safe_file_name
from application.ports.storage import DatasetInfo, StoredFile
from domain.errors import InvalidArgument, NotFound, TooLarge
from domain.spaces import Space
from domain.text import Code, say


class SqlDatasetStore:
    def __init__(self, database: Database, layout: SpaceLayout, max_versions: int = MAX_VERSIONS) -> None:
        self._database = database
        self._layout = layout
        self._max_versions = max_versions

    async def list_datasets(self, space: Space) -> Sequence[DatasetInfo]:
        query = select(datasets.c.name, datasets.c.size).where(datasets.c.space == space.key).order_by(datasets.c.name)
        async with self._database.reading() as connection:
            rows = (await connection.execute(query)).all()
        return [DatasetInfo(name, int(size)) for name, size in rows]

    async def read_dataset(self, space: Space, name: str, max_bytes: int) -> StoredFile:
        query = select(datasets.c.size).where(datasets.c.space == space.key, datasets.c.name == name)
        async with self._database.reading() as connection:
            size = (await connection.execute(query)).scalar()
        if size is None:
            raise NotFound(say("There is no dataset ", Code(name), " here."))
        if size > max_bytes:
            raise TooLarge(say("The dataset ", Code(name)), int(size), max_bytes)
        path = await asyncio.to_thread(existing_file_inside, self._layout.datasets(space), name)
        return StoredFile(path.name, await asyncio.to_thread(path.read_bytes))

    async def save_dataset(self, space: Space, name: str, data: bytes) -> str:
        wanted = safe_file_name(name, "dataset.txt")
        digest = hashlib.sha256(data).hexdigest()
        folder = self._layout.datasets(space)

        async def keep(connection: AsyncConnection) -> str:
            await self._database.lock_space(connection, space.key)
            known = dict(
                (
                    await connection.execute(
                        select(datasets.c.name, datasets.c.sha256).where(datasets.c.space == space.key)
                    )
                ).all()
            )
            for candidate in dataset_names(wanted, self._max_versions):
                if candidate in known:
                    if known[candidate] == digest:
                        return candidate  # the same data again: one copy, under the name it already has
                    continue
                path = folder / candidate
                if await asyncio.to_thread(_taken_by_other_data, path, data):
                    continue
                # The row first: a racing upload of the same name waits on it, then takes the next name. The file is
                # written before the commit, so a listed dataset always has its file.
                await connection.execute(
                    insert(datasets).values(space=space.key, name=candidate, size=len(data), sha256=digest)
                )
                await asyncio.to_thread(write_atomic_sync, path, data)
                return candidate
            raise InvalidArgument(
                say(
                    f"There are already {self._max_versions:,} datasets named like ",
                    Code(wanted),
                    "; attach the data as a file with another name.",
                )
            )

        return await self._database.write(keep)


def _taken_by_other_data(path: Path, data: bytes) -> bool:
    return path.is_symlink() or (path.exists() and not holds(path, data))
