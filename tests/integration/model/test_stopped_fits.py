"""A training past its deadline in the in-process work queue: its fitting process is killed, the next fit runs.

Cancelling the coroutine alone would leave the fit using a core (and its memory) for as long as it takes.
"""

import asyncio
import multiprocessing
import os
import signal

import pytest
import structlog

from adapters.model.tfidf import TfidfBackend
from adapters.work.local import LocalWorkQueue
from application.jobs.executor import JobExecutor
from application.ports.work import TrainJob
from domain.errors import BackendUnavailable
from domain.training import Dataset, Example
from support import fakes
from support.made_up_data import made_up_dataset
from support.processes import alive
from tests.integration.model.cafe import CAFE

# Half a minute of fitting or more (500 intents sharing their words), far past the deadline below; and as that
# depends on the machine, the test also stops (SIGSTOP) the process it fits in: it cannot end before its deadline.
SLOW = Dataset(
    "slow.csv", tuple(Example(text, intent) for text, intent in made_up_dataset(500, 20, 6, vocabulary=2000))
)
DEADLINE = 3.0


def children() -> set[int]:
    """The processes this one started through multiprocessing, still running."""
    return {child.pid for child in multiprocessing.active_children() if child.pid is not None}


async def stopped_processes(before: set[int], seen: set[int]) -> None:
    """Stop each process started since `before`, as soon as it is seen: it does no work until it is killed."""
    while True:
        for pid in children() - before - seen:
            os.kill(pid, signal.SIGSTOP)
            seen.add(pid)
        await asyncio.sleep(0.05)


async def test_a_training_past_its_deadline_kills_its_fitting_process_and_the_next_training_fits(
    captured_logs: list[structlog.typing.EventDict],
) -> None:
    backend = TfidfBackend()
    executor = JobExecutor(fakes.FakeCodec(), fakes.FakeSpeechToText(), fakes.FakeTextToSpeech(), {"tfidf": backend})
    work = LocalWorkQueue(executor, gates={}, deadlines={"train": DEADLINE})
    before = children()
    seen: set[int] = set()
    watching = asyncio.create_task(stopped_processes(before, seen))
    try:
        with pytest.raises(BackendUnavailable) as late:
            await work.run(TrainJob(SLOW, "tfidf"))
        assert late.value.user_message == "Training took too long (over 3 s); please try again later."
        watching.cancel()
        assert seen, "the fit ran in a process of its own"
        assert [entry["reason"] for entry in captured_logs if entry["event"] == "model.fit_stopped"] == ["cancelled"]
        async with asyncio.timeout(5):
            while survivors := {pid for pid in seen if alive(pid)}:
                await asyncio.sleep(0.05)
        assert not survivors
        artifact = await backend.train(CAFE, lambda fraction, stage: None)  # the slot is free for the next fit
        assert artifact.backend == "tfidf" and artifact.metrics["examples"] == len(CAFE.examples)
    finally:
        watching.cancel()
        backend.close()
