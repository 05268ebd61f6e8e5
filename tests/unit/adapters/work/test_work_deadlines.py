"""A job's deadline on a worker, without Redis: the work stops there, and the bot's answer is the usual one."""

import asyncio
from typing import Any

import pytest

from adapters.work import codec, worker
from adapters.work.redis_queue import unpack_result
from application.jobs.executor import JobExecutor
from application.ports.work import TrainJob
from domain.errors import BackendUnavailable
from domain.training import Dataset, Example
from support import fakes

DATASET = Dataset("faq.txt", (Example("hi", "greet"), Example("bye", "bye")), {"greet": "Hello!", "bye": "Bye!"})
TRAIN = codec.encode_job(TrainJob(DATASET, "fake"))


def ignore(fraction: float, stage: str) -> None:
    del fraction, stage


def executor(model: fakes.FakeModelBackend) -> JobExecutor:
    return JobExecutor(fakes.FakeCodec(), fakes.FakeSpeechToText(), fakes.FakeTextToSpeech(), {"fake": model})


async def test_a_job_past_its_budget_is_cancelled_and_leaves_a_past_deadline_result() -> None:
    model = fakes.FakeModelBackend(delay=60.0)
    document = await asyncio.wait_for(worker.run_to_result_document(executor(model), TRAIN, ignore, 0.2), 5)
    assert document == worker.PAST_DEADLINE
    assert model.trained == []  # cancelled, not left to finish


async def test_within_its_budget_or_without_one_a_job_gives_its_result() -> None:
    model = fakes.FakeModelBackend()
    for budget in (30.0, None):
        document = await worker.run_to_result_document(executor(model), TRAIN, ignore, budget)
        assert document["ok"] is True and document["result"]["backend"] == "fake"


async def test_a_timeout_of_the_jobs_own_is_a_failure_not_the_deadline() -> None:
    model = fakes.FakeModelBackend()
    model.fail_with = TimeoutError()  # a backend's own network timeout, say
    assert await worker.run_to_result_document(executor(model), TRAIN, ignore, 30.0) == {"ok": False}


async def test_a_job_that_will_not_stop_and_ends_late_is_past_its_deadline_all_the_same() -> None:
    class Stubborn:
        async def __call__(self, job: object, progress: object = None) -> Any:
            ends = asyncio.get_running_loop().time() + 0.5
            while (left := ends - asyncio.get_running_loop().time()) > 0:
                try:
                    await asyncio.sleep(left)
                except asyncio.CancelledError:
                    continue  # as a thread would: cancelling does not stop it
            return await executor(fakes.FakeModelBackend())(TrainJob(DATASET, "fake"))

    document = await worker.run_to_result_document(Stubborn(), TRAIN, ignore, 0.1)  # type: ignore[arg-type]
    assert document == worker.PAST_DEADLINE


def test_the_bot_answers_a_past_deadline_result_in_the_words_of_the_in_process_queue() -> None:
    with pytest.raises(BackendUnavailable) as late:
        unpack_result("train", worker.PAST_DEADLINE, 0.5)
    assert late.value.user_message == "Training took too long (over 0.5 s); please try again later."


def test_a_deadline_rides_beside_the_job_which_reads_the_same_without_it() -> None:
    assert codec.deadline_of(TRAIN) is None and codec.with_deadline(TRAIN, None) == TRAIN
    timed = codec.with_deadline(TRAIN, 1_700_000_000_123)
    assert codec.deadline_of(timed) == 1_700_000_000_123
    assert codec.decode_job(timed) == codec.decode_job(TRAIN)  # a worker that knows no deadlines runs it as before
    for junk in ("soon", 1.5, True, [1]):
        with pytest.raises(codec.MalformedPayload):
            codec.deadline_of(TRAIN | {"deadline_ms": junk})
