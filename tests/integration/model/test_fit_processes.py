"""The processes fits run in: closed, they take no more work; one that died while idle is replaced, not blamed."""

import asyncio
import multiprocessing
import os
import signal
import time
from typing import Any

import pytest

from adapters.model.fit_processes import FitProcesses
from domain.errors import BackendUnavailable
from support.processes import alive


def no_setup(progress_queue: Any, parent_pid: int) -> None:
    del progress_queue, parent_pid


def fitter_pid(argument: int) -> int:
    """What a fit would compute, here the process it ran in."""
    del argument
    return os.getpid()


def endless(seconds: float) -> None:
    time.sleep(seconds)


def ignore(message: Any) -> None:
    del message


def children() -> set[int]:
    """The processes this one started through multiprocessing, still running."""
    return {child.pid for child in multiprocessing.active_children() if child.pid is not None}


async def test_a_fit_waiting_its_turn_when_the_processes_close_is_refused_and_starts_no_process() -> None:
    processes = FitProcesses(no_setup, workers=1)
    before = children()
    running = asyncio.create_task(processes.run(endless, 600.0, ignore))
    waiting = asyncio.create_task(processes.run(fitter_pid, 0, ignore))  # its turn comes after the first
    try:
        async with asyncio.timeout(60):
            while not (started := children() - before):  # the first fit's process
                await asyncio.sleep(0.02)
        processes.close()
        async with asyncio.timeout(30):
            with pytest.raises(BackendUnavailable) as killed:  # its process killed, and told why
                await running
            with pytest.raises(BackendUnavailable) as refused:  # not run in a pool of its own
                await waiting
        assert refused.value.user_message == "Training can't start: the bot is shutting down."
        assert killed.value.user_message == "Training stopped: the bot is shutting down."
        async with asyncio.timeout(10):
            while survivors := children() - before:
                await asyncio.sleep(0.05)
        assert started and not survivors
    finally:
        running.cancel()
        waiting.cancel()
        processes.close()


async def test_a_fit_after_its_idle_process_died_runs_in_a_fresh_one() -> None:
    processes = FitProcesses(no_setup, workers=1, max_tasks_per_child=None)  # the process is kept between fits
    try:
        first = await asyncio.wait_for(processes.run(fitter_pid, 0, ignore), 60)
        os.kill(first, signal.SIGKILL)  # as the kernel does to a process using too much memory
        async with asyncio.timeout(10):
            while alive(first):
                await asyncio.sleep(0.02)
        second = await asyncio.wait_for(processes.run(fitter_pid, 0, ignore), 60)
        assert second != first and alive(second)
        assert await asyncio.wait_for(processes.run(fitter_pid, 0, ignore), 60) == second  # kept, in turn
    finally:
        processes.close()


async def test_a_process_done_with_its_fits_ends_and_no_other_is_started_in_its_place() -> None:
    # A replacement started beside an idle pool would hold memory for nothing, and one still starting when the
    # bot exits fails loudly (its progress queue is gone).
    processes = FitProcesses(no_setup, workers=1, max_tasks_per_child=1)
    before = children()
    try:
        first = await asyncio.wait_for(processes.run(fitter_pid, 0, ignore), 60)
        async with asyncio.timeout(30):
            while alive(first):
                await asyncio.sleep(0.02)
        await asyncio.sleep(1.0)  # time enough for a replacement to have been started, were one started
        assert children() - before == set()
        second = await asyncio.wait_for(processes.run(fitter_pid, 0, ignore), 60)
        assert second != first
    finally:
        processes.close()
