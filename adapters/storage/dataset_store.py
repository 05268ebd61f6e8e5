"""Datasets of a space: files under its `datasets/`, listed by name, saved atomically."""

import asyncio
from collections.abc import Sequence
from pathlib import Path

from adapters.storage.atomic import write_atomic
from adapters.storage.layout import SpaceLayout
from adapters.storage.sandbox import existing_file_inside, safe_file_name
from application.ports.storage import DatasetInfo, StoredFile
from domain.errors import TooLarge
from domain.spaces import Space
from domain.text import Code, say


class FilesystemDatasetStore:
    def __init__(self, layout: SpaceLayout) -> None:
        self._layout = layout

    async def list_datasets(self, space: Space) -> Sequence[DatasetInfo]:
        return await asyncio.to_thread(_list, self._layout.datasets(space))

    async def read_dataset(self, space: Space, name: str, max_bytes: int) -> StoredFile:
        return await asyncio.to_thread(_read, self._layout.datasets(space), name, max_bytes)

    async def save_dataset(self, space: Space, name: str, data: bytes) -> str:
        safe = safe_file_name(name, "dataset.txt")
        await write_atomic(self._layout.datasets(space) / safe, data)
        return safe


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
