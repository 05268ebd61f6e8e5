"""One writer at a time per space, across threads and processes: an exclusive lock on the space's `.lock` file.

Several processes may share a data root (the bot, `parrot train`, later several shards). Every
read-modify-write of a space's shared state (its settings, the next model version number, dataset
names) happens while holding this lock, so no process overwrites what another just wrote.
The lock blocks: take it only in a worker thread, never on the event loop.
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from adapters.storage.atomic import PRIVATE_FILE, make_private_folders, storage_errors

LOCK_FILE = ".lock"


@contextmanager
def space_locked(space_folder: Path) -> Iterator[None]:
    """Hold the space's lock; it is released when the block ends, or by the kernel if the process dies."""
    lock_path = space_folder / LOCK_FILE
    with storage_errors(lock_path):
        make_private_folders(space_folder)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    try:
        # flock locks an open file description: two threads of one process exclude each other too.
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
