"""Writes that a crash cannot tear: temporary file and rename; appends flushed and fsync'd, one writer per file."""

import asyncio
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import aiofiles
import aiofiles.os
import structlog

from domain.errors import BackendUnavailable

log = structlog.get_logger("parrot.storage")


async def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data`: readers see the old bytes or the new, never a mix."""
    await asyncio.to_thread(write_atomic_sync, path, data)


def write_atomic_sync(path: Path, data: bytes) -> None:
    with storage_errors(path):
        _write_atomic(path, data)


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


@contextmanager
def storage_errors(path: Path) -> Iterator[None]:
    """A full, read-only or broken disk becomes a refusal the user understands; the details go to the log."""
    try:
        yield
    except OSError as error:
        log.error("storage write failed", path=str(path), errno=error.errno, error=error.strerror)
        raise BackendUnavailable(
            "I could not save that: my storage is full or not writable. The admins can see it in the log."
        ) from error


def fsync_directory(directory: Path) -> None:
    """Make a rename durable: the directory entry itself must reach the disk."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LineAppender:
    """Appends whole lines to files, one writer per file, each line fsync'd before it is acknowledged."""

    def __init__(self) -> None:
        self._locks: dict[Path, asyncio.Lock] = {}

    async def append(self, path: Path, line: str) -> None:
        if "\n" in line:
            raise ValueError("a record must be one line")
        lock = self._locks.setdefault(path, asyncio.Lock())
        async with lock:
            with storage_errors(path):
                await self._append(path, line)

    async def remove(self, path: Path, drop: Callable[[str], bool]) -> int:
        """Rewrite `path` atomically without the lines `drop` picks; the number removed. Appends wait meanwhile."""
        lock = self._locks.setdefault(path, asyncio.Lock())
        async with lock:
            return await asyncio.to_thread(_remove_lines, path, drop)

    async def _append(self, path: Path, line: str) -> None:
        await aiofiles.os.makedirs(path.parent, exist_ok=True)
        # A crash may have left a torn last line: start on a fresh line so it stays apart.
        prefix = "" if await asyncio.to_thread(_ends_cleanly, path) else "\n"
        async with aiofiles.open(path, "a", encoding="utf-8") as handle:
            await handle.write(prefix + line + "\n")
            await handle.flush()
            await asyncio.to_thread(os.fsync, handle.fileno())


def _remove_lines(path: Path, drop: Callable[[str], bool]) -> int:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return 0
    kept = [line for line in lines if line.strip() and not drop(line)]
    removed = sum(1 for line in lines if line.strip()) - len(kept)
    if removed:
        write_atomic_sync(path, "".join(line + "\n" for line in kept).encode("utf-8"))
    return removed


def _ends_cleanly(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            if handle.tell() == 0:
                return True
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) == b"\n"
    except FileNotFoundError:
        return True
