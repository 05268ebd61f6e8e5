"""Datasets of a space: files under its `datasets/`, listed by name, saved atomically.

A saved dataset never replaces a different one: a taken name gets a number (`faq.csv`, `faq-2.csv`, ...),
chosen under the space's lock so two uploads at once, even from two processes, never share a name.
"""

import asyncio
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from adapters.storage.atomic import write_atomic_sync
from adapters.storage.layout import SpaceLayout
from adapters.storage.sandbox import existing_file_inside, safe_file_name
from adapters.storage.space_lock import space_locked
from application.ports.storage import DatasetInfo, StoredFile
from domain.errors import InvalidArgument, TooLarge
from domain.spaces import Space
from domain.text import Code, say

MAX_VERSIONS = 1000


class FilesystemDatasetStore:
    def __init__(self, layout: SpaceLayout, max_versions: int = MAX_VERSIONS) -> None:
        self._layout = layout
        self._max_versions = max_versions

    async def list_datasets(self, space: Space) -> Sequence[DatasetInfo]:
        return await asyncio.to_thread(_list, self._layout.datasets(space))

    async def read_dataset(self, space: Space, name: str, max_bytes: int) -> StoredFile:
        return await asyncio.to_thread(_read, self._layout.datasets(space), name, max_bytes)

    async def save_dataset(self, space: Space, name: str, data: bytes) -> str:
        return await asyncio.to_thread(self._save, space, safe_file_name(name, "dataset.txt"), data)

    def _save(self, space: Space, name: str, data: bytes) -> str:
        folder = self._layout.datasets(space)
        with space_locked(self._layout.space(space)):
            for candidate in dataset_names(name, self._max_versions):
                path = folder / candidate
                if not os.path.lexists(path):
                    write_atomic_sync(path, data)
                    return candidate
                if holds(path, data):
                    return candidate  # the same data again: one copy, under the name it already has
        raise InvalidArgument(
            say(
                f"There are already {self._max_versions:,} datasets named like ",
                Code(name),
                "; attach the data as a file with another name.",
            )
        )


def dataset_names(name: str, most: int) -> Iterator[str]:
    """`faq.csv`, `faq-2.csv`, `faq-3.csv`, ...: the names a dataset may be kept under, in order."""
    stem, dot, suffix = name.rpartition(".")
    if not stem:  # no extension, or a name like `.csv`
        stem, dot, suffix = name, "", ""
    yield name
    for number in range(2, most + 1):
        yield f"{stem}-{number}{dot}{suffix}"


def holds(path: Path, data: bytes) -> bool:
    if path.is_symlink() or not path.is_file():
        return False
    return path.stat().st_size == len(data) and path.read_bytes() == data


def _list(folder: Path) -> list[DatasetInfo]:
    if not folder.is_dir():
        return []
    return [
        DatasetInfo(entry.name, entry.stat().st_size)
        for entry in sorted(folder.iterdir())
        if entry.is_file() and not entry.is_symlink() and not entry.name.startswith(".")
    ]


def _read(folder: Path, name: str, max_bytes: int) -> StoredFile:
    path = existing_file_inside(folder, name)
    size = path.stat().st_size
    if size > max_bytes:
        raise TooLarge(say("The dataset ", Code(name)), size, max_bytes)
    return StoredFile(path.name, path.read_bytes())
