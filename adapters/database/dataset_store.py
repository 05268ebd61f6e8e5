"""Datasets of a space: their names, sizes and hashes in the database, their bytes blobs in its `datasets`.

A saved dataset never replaces a different one: the name is chosen in one writing transaction (so two uploads at
once, even from two processes, never share one), and a name is taken if the database lists it or a file of other
contents already has it (one kept before the database), so no upload overwrites a file.
"""

import asyncio
import hashlib
from collections.abc import Iterator, Sequence

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.database.blobs import DATASETS, Blobs
from adapters.database.engine import Database
from adapters.database.schema import datasets
from adapters.storage.sandbox import safe_file_name
from application.ports.storage import DatasetInfo, StoredFile
from domain.errors import InvalidArgument, NotFound, TooLarge
from domain.spaces import Space
from domain.text import Code, say

# Names a dataset may take in a space (`faq.csv` to `faq-1000.csv`): past that an upload is refused with a reason.
MAX_VERSIONS = 1000


class SqlDatasetStore:
    def __init__(self, database: Database, blobs: Blobs, max_versions: int = MAX_VERSIONS) -> None:
        self._database = database
        self._blobs = blobs
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
        return StoredFile(name, await self._blobs.read(space, DATASETS, name))

    async def save_dataset(self, space: Space, name: str, data: bytes) -> str:
        wanted = safe_file_name(name, "dataset.txt")
        # Hashed off the event loop: a dataset may be tens of megabytes.
        digest = await asyncio.to_thread(lambda: hashlib.sha256(data).hexdigest())

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
                if await self._blobs.taken_by_other(space, DATASETS, candidate, data):
                    continue
                # The row first: a racing upload of the same name waits on it, then takes the next name. The blob is
                # kept before the commit, so a listed dataset always has its bytes.
                await connection.execute(
                    insert(datasets).values(space=space.key, name=candidate, size=len(data), sha256=digest)
                )
                await self._blobs.put(connection, space, DATASETS, candidate, data)
                return candidate
            raise InvalidArgument(
                say(
                    f"There are already {self._max_versions:,} datasets named like ",
                    Code(wanted),
                    "; attach the data as a file with another name.",
                )
            )

        return await self._database.write(keep)


def dataset_names(name: str, most: int) -> Iterator[str]:
    """`faq.csv`, `faq-2.csv`, `faq-3.csv`, ...: the names a dataset may be kept under, in order."""
    stem, dot, suffix = name.rpartition(".")
    if not stem:  # no extension, or a name like `.csv`
        stem, dot, suffix = name, "", ""
    yield name
    for number in range(2, most + 1):
        yield f"{stem}-{number}{dot}{suffix}"
