"""Writes that a crash cannot tear: temporary file and rename; appends flushed and fsync'd, one writer per file.

Everything here holds users' data, so it is private whatever the umask: files 0600, folders 0700.
"""

import asyncio
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import structlog

from domain.errors import BackendUnavailable

log = structlog.get_logger("parrot.storage")

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700


def make_private_folders(folder: Path) -> None:
    """Create `folder` and its missing parents as 0700 whatever the umask; folders that exist are left alone."""
    missing: list[Path] = []
    current = folder
    while not os.path.lexists(current) and current != current.parent:
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:
            continue  # made by another thread or process meanwhile; it makes it private
        # mkdir's mode is masked by the umask; chmod is not.
        path.chmod(PRIVATE_FOLDER)


async def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data`: readers see the old bytes or the new, never a mix."""
    await asyncio.to_thread(write_atomic_sync, path, data)


def write_atomic_sync(path: Path, data: bytes) -> None:
    with storage_errors(path):
        _write_atomic(path, data)


def _write_atomic(path: Path, data: bytes) -> None:
    make_private_folders(path.parent)
    # mkstemp creates the file 0600, and the rename keeps that mode.
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
            with storage_errors(path):
                return await asyncio.to_thread(_remove_lines, path, drop)

    async def replace(self, path: Path, lines: list[str]) -> None:
        """Rewrite `path` atomically with exactly `lines`. Appends wait meanwhile."""
        if any("\n" in line for line in lines):
            raise ValueError("a record must be one line")
        data = "".join(line + "\n" for line in lines).encode("utf-8")
        lock = self._locks.setdefault(path, asyncio.Lock())
        async with lock:
            with storage_errors(path):
                await asyncio.to_thread(_write_atomic, path, data)

    async def keep_last(self, path: Path, count: int) -> int:
        """Rewrite `path` atomically with only its last `count` lines, when it has more; how many it has after.
        Appends wait meanwhile."""
        lock = self._locks.setdefault(path, asyncio.Lock())
        async with lock:
            with storage_errors(path):
                return await asyncio.to_thread(_keep_last_lines, path, count)

    async def count(self, path: Path) -> int:
        """The lines in `path` (0 when there is none), as appends have left them."""
        lock = self._locks.setdefault(path, asyncio.Lock())
        async with lock:
            with storage_errors(path):
                return await asyncio.to_thread(_count_lines, path)

    async def _append(self, path: Path, line: str) -> None:
        await asyncio.to_thread(_append_sync, path, line)


def _append_sync(path: Path, line: str) -> None:
    make_private_folders(path.parent)
    # A crash may have left a torn last line: start on a fresh line so it stays apart.
    prefix = "" if _ends_cleanly(path) else "\n"
    data = (prefix + line + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, PRIVATE_FILE)  # made before files were private, or under a lax umask
        written = 0
        while written < len(data):
            written += os.write(fd, data[written:])
        os.fsync(fd)
    finally:
        os.close(fd)


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


def _keep_last_lines(path: Path, count: int) -> int:
    try:
        lines = [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    except FileNotFoundError:
        return 0
    if len(lines) > count:
        lines = lines[len(lines) - count :] if count > 0 else []
        write_atomic_sync(path, "".join(line + "\n" for line in lines).encode("utf-8"))
    return len(lines)


def _count_lines(path: Path) -> int:
    try:
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    except FileNotFoundError:
        return 0


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
