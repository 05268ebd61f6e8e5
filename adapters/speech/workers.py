"""Threads for blocking speech work (recognition, synthesis), so the event loop never waits on a model.

Each backend owns a small pool sized for it: one thread for a model that already uses every core
(more would only queue inside the model while holding threads), a few for network backends that
mostly wait. Requests beyond that wait in the pool's queue, not in a thread, so a burst of voice
messages never starves other work.
"""

import asyncio
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


class WorkerPool:
    """A named pool of `threads` threads; `run` awaits a blocking call made in one of them."""

    def __init__(self, name: str, threads: int = 1) -> None:
        if threads < 1:
            raise ValueError(f"a worker pool needs at least one thread, not {threads}")
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=f"speech-{name}")

    async def run(self, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        work = functools.partial(function, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    def close(self) -> None:
        """Stop taking work; what is queued is dropped, what runs finishes in the background."""
        self._executor.shutdown(wait=False, cancel_futures=True)


class Lazy(Generic[T]):
    """A value built once, on first use, by whichever thread needs it first; the others wait for it.

    A failed build is not remembered: the next call tries again (a missing package may be installed).
    """

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        value = self._value
        if value is not None:
            return value
        with self._lock:
            if self._value is None:
                self._value = self._build()
            return self._value
