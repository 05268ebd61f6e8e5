"""Writes that a crash cannot tear: a temporary file, fsync'd, then renamed over the old one.

Everything here holds users' data, so it is private whatever the umask: files 0600, folders 0700.
"""

import asyncio
import os
import tempfile
from collections.abc import Iterator
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
