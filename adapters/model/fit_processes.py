"""Processes to fit models in, one fit per process at a time, so that a fit cut short can really be stopped.

A fit is cut short when the job it belongs to is cancelled: its deadline passed (`work.train_seconds`), or the
bot is shutting down. Cancelling the coroutine only stops the waiting; the CPU work goes on in the child
process unless that process is killed. A shared ProcessPoolExecutor cannot stop one running call, and killing
one of its processes breaks the whole pool, failing every other fit queued in it. So each of the `workers`
slots is a pool of one process: killing it ends that one fit, its memory comes back at once, and the slot gets
a fresh pool next time.

Each pool has its own progress queue: a process killed while writing to a queue may leave the queue's lock
held, and only that pool's queue, thrown away with it, can be left so.
"""

import asyncio
import multiprocessing
import os
import queue
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

import structlog

from domain.errors import BackendUnavailable

log = structlog.get_logger(__name__)

A = TypeVar("A")
R = TypeVar("R")

# How often the progress a fit reports is passed on while it runs.
POLL_SECONDS = 0.25


class FitProcesses:
    """Runs `function(argument)` in a spawned process, at most `workers` at once; the others wait their turn.

    `initializer(progress_queue, parent_pid)` runs first in each process. A process fits `max_tasks_per_child`
    times and then exits, giving its memory back (None keeps it for the next fit, which saves start-up time).
    """

    def __init__(
        self,
        initializer: Callable[[Any, int], None],
        *,
        workers: int = 1,
        max_tasks_per_child: int | None = 1,
    ) -> None:
        if workers < 1:
            raise ValueError(f"fitting needs at least one process, not {workers}")
        self._initializer = initializer
        self._max_tasks_per_child = max_tasks_per_child
        self._context = multiprocessing.get_context("spawn")
        self._slots = asyncio.Semaphore(workers)
        self._idle: list[tuple[ProcessPoolExecutor, Any]] = []
        self._busy: set[ProcessPoolExecutor] = set()
        self._fits: dict[ProcessPoolExecutor, int] = {}
        self._closed = False

    async def run(self, function: Callable[[A], R], argument: A, on_message: Callable[[Any], None]) -> R:
        """The result of `function(argument)`; `on_message` hears what the process puts on its progress queue.

        Cancelled while the call runs, its process is killed before the cancellation goes on. Once `close()`d,
        a call still waiting its turn is refused (BackendUnavailable).
        """
        async with self._slots:
            if self._closed:
                # Closed while this call waited its turn: a pool made now would be one nothing ever stops.
                raise BackendUnavailable("Training can't start: the bot is shutting down.")
            pool, messages, future = self._start(function, argument)
            self._busy.add(pool)
            reusable = False
            try:
                while not future.done():
                    await asyncio.wait({future}, timeout=POLL_SECONDS)
                    _relay(messages, on_message)
                reusable = not isinstance(future.exception(), BrokenProcessPool)
            except asyncio.CancelledError:
                if not future.done():
                    future.cancel()  # its result, should one still come, is for nobody
                    _kill(pool)
                    log.info("model.fit_stopped", reason="cancelled")
                raise
            finally:
                self._busy.discard(pool)
                self._fits[pool] = self._fits.get(pool, 0) + 1
                worn_out = self._max_tasks_per_child is not None and self._fits[pool] >= self._max_tasks_per_child
                if reusable and not worn_out and not self._closed:
                    self._idle.append((pool, messages))
                else:
                    # Its process ends once out of work: its memory comes back now, and no replacement is
                    # started for it (a process still starting when the bot exits would fail loudly).
                    del self._fits[pool]
                    pool.shutdown(wait=False, cancel_futures=True)
            if self._closed and isinstance(future.exception(), BrokenProcessPool):
                # Killed by close(), not lost to the machine: say so, not "out of memory?".
                raise BackendUnavailable("Training stopped: the bot is shutting down.")
            return future.result()

    def close(self) -> None:
        """Stop every process now: closed, nobody will take what a fit still running would make."""
        self._closed = True
        for pool, _ in self._idle:
            pool.shutdown(wait=False, cancel_futures=True)
        for pool in self._busy:
            _kill(pool)
        self._idle.clear()
        self._fits.clear()

    def _start(self, function: Callable[[A], R], argument: A) -> tuple[ProcessPoolExecutor, Any, asyncio.Future[R]]:
        """A pool, its progress queue, and the call submitted to it: an idle pool if there is one, else a new one."""
        loop = asyncio.get_running_loop()
        if self._idle:
            pool, messages = self._idle.pop()
            try:
                if _lost_a_process(pool):
                    raise BrokenProcessPool("its process died while idle")  # the pool may not know it yet
                return pool, messages, loop.run_in_executor(pool, function, argument)
            except BrokenProcessPool:
                # Its process died while idle (killed for memory, say): that says nothing of this fit, which a
                # fresh pool can run. Refused at once, the call never started there: it is not run twice.
                self._fits.pop(pool, None)
                pool.shutdown(wait=False, cancel_futures=True)
                log.info("model.idle_fit_process_replaced")
        pool, messages = self._new_pool()
        try:
            return pool, messages, loop.run_in_executor(pool, function, argument)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise

    def _new_pool(self) -> tuple[ProcessPoolExecutor, Any]:
        messages = self._context.Queue()
        # Not the executor's own `max_tasks_per_child`: it starts a replacement process at once after the last
        # fit, which would sit idle in memory; this class shuts a worn-out pool down instead (see `run`).
        pool = ProcessPoolExecutor(
            max_workers=1, mp_context=self._context, initializer=self._initializer, initargs=(messages, os.getpid())
        )
        return pool, messages


def _relay(messages: Any, on_message: Callable[[Any], None]) -> None:
    while True:
        try:
            message = messages.get_nowait()
        except (queue.Empty, OSError, ValueError):
            return
        on_message(message)


def _lost_a_process(pool: ProcessPoolExecutor) -> bool:
    """Whether a process of the pool has ended while idle (killed from outside: a pool's process never ends by
    itself, as `max_tasks_per_child` is kept by FitProcesses, not the executor)."""
    # `_processes`: see _kill.
    return any(not process.is_alive() for process in list((pool._processes or {}).values()))


def _kill(pool: ProcessPoolExecutor) -> None:
    """End the pool's process now. The executor itself has no way to stop a running call: only its process."""
    # Private, but CPython 3.11 itself kills a broken pool's `_processes` so; list(): its thread may drop one meanwhile.
    for process in list((pool._processes or {}).values()):
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
