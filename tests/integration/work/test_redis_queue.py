"""The Redis work queue against a real redis-server, with workers in this process and fake backends."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import structlog
from arq import create_pool

from adapters.work import keys
from adapters.work import worker as worker_module
from adapters.work.codec import encode_job, with_deadline
from adapters.work.redis_queue import RedisWorkQueue, deserialise, redis_now_ms, redis_settings, serialise
from adapters.work.worker import parrot_job, serve
from application.jobs.executor import JobExecutor
from application.learning.starter import StarterKnowledge
from application.ports.model import TrainedArtifact
from application.ports.work import (
    SynthesiseJob,
    TestJob,
    TrainJob,
    TranscribeJob,
    WarmUpJob,
    WorkQueueUnreachable,
)
from domain.errors import BackendUnavailable, Busy, ParrotError, TooLarge, WorkUnavailable
from domain.speech import EncodedAudio
from domain.training import Dataset, EvaluationReport, Example
from support import fakes
from support.redis_server import RedisServer, free_port
from tests.processes import run_parrot

PAIRS = [("hi", "greet"), ("hello", "greet"), ("bye", "bye"), ("ciao", "bye")]
DATASET = Dataset(
    "faq.txt",
    tuple(
        Example(text, intent) for text, intent in [("hi", "greet"), ("hello", "greet"), ("bye", "bye"), ("ciao", "bye")]
    ),
    {"greet": "Hello!", "bye": "Bye!"},
)


class Backends:
    def __init__(self) -> None:
        self.codec = fakes.FakeCodec()
        self.stt = fakes.FakeSpeechToText()
        self.tts = fakes.FakeTextToSpeech()
        self.model = fakes.FakeModelBackend(name="embedded")
        self.executor = JobExecutor(self.codec, self.stt, self.tts, {"embedded": self.model})


@asynccontextmanager
async def worker(redis: RedisServer, backends: Backends, concurrency: int = 2) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(serve(redis.url, backends.executor, concurrency, stop.wait()))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


@asynccontextmanager
async def queue(redis: RedisServer, **changes: Any) -> AsyncIterator[RedisWorkQueue]:
    options: dict[str, Any] = {"waiting": 16, "deadlines": {"transcribe": 30.0}, "max_payload_bytes": 10_000_000}
    work = RedisWorkQueue(redis.url, **(options | changes))
    await work.start()
    try:
        yield work
    finally:
        await work.close()


def hello() -> TranscribeJob:
    return TranscribeJob(b"speech:hello there", "voice.ogg", 600.0, "en-US")


async def test_every_kind_of_job_runs_on_a_worker_and_comes_back_as_data(redis: RedisServer) -> None:
    backends = Backends()
    async with queue(redis) as work, worker(redis, backends):
        transcript = await work.run(hello())
        assert (transcript.text, transcript.language, transcript.backend) == ("hello there", "en-US", "fake-stt")
        audio = await work.run(SynthesiseJob("Nice to see you.", "en-US"))
        assert audio == EncodedAudio(b"OggSNice to see you.", "ogg_opus", audio.duration_seconds)
        seen: list[tuple[float, str]] = []
        artifact = await work.run(TrainJob(DATASET, "embedded"), lambda f, s: seen.append((f, s)))
        assert isinstance(artifact, TrainedArtifact) and artifact.backend == "embedded"
        assert backends.model.trained == [DATASET]
        report = await work.run(TestJob(DATASET, "embedded", 5, artifact))
        assert isinstance(report, EvaluationReport) and report.accuracy == 1.0 and report.method == "test data"
        crossed = await work.run(TestJob(DATASET, "embedded", 5))
        assert crossed.method == "2-fold cross-validation"
        await work.run(WarmUpJob(("en-US",)))  # its result is None, back as data like the others
        assert (backends.stt.warmed, backends.tts.warmed) == (1, 1)
    assert backends.stt.languages == ["en-US"]


async def test_the_worker_logs_no_words_of_the_users(redis: RedisServer, caplog: pytest.LogCaptureFixture) -> None:
    # arq logs each job's arguments; the worker's log keeps ids and events only, as `!privacy` promises.
    caplog.set_level(logging.DEBUG)
    async with queue(redis) as work, worker(redis, Backends()):
        await work.run(TranscribeJob(b"speech:my secret question", "voice.ogg", 600.0, "en-US"))
        await work.run(TrainJob(DATASET, "embedded"))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for words in ("my secret question", "c3BlZWNo", "ciao", "Hello!"):
        assert words not in logged


async def test_a_refusal_on_the_worker_is_told_in_the_same_words(redis: RedisServer) -> None:
    async with queue(redis) as work, worker(redis, Backends()):
        with pytest.raises(ParrotError) as refused:
            await work.run(TranscribeJob(b"\x00garbage", "noise.ogg", 600.0, None))
        assert refused.value.user_message == "`noise.ogg` is not audio I can decode."
        with pytest.raises(ParrotError) as empty:
            await work.run(TranscribeJob(b"", "empty.ogg", 600.0, None))
        assert empty.value.user_message == "That audio file is empty."


async def test_progress_comes_back_while_the_job_runs(redis: RedisServer) -> None:
    backends = Backends()
    backends.model.delay = 1.0
    seen: list[tuple[float, str]] = []
    async with queue(redis) as work, worker(redis, backends):
        await work.run(TrainJob(DATASET, "embedded"), lambda fraction, stage: seen.append((fraction, stage)))
    assert (0.5, "fitting") in seen


async def test_a_job_sent_while_no_worker_runs_waits_and_is_done_once_one_starts(redis: RedisServer) -> None:
    async with queue(redis) as work:
        waiting = asyncio.create_task(work.run(hello()))
        await asyncio.sleep(1.0)
        assert not waiting.done()
        async with worker(redis, Backends()):
            transcript = await asyncio.wait_for(waiting, 10)
    assert transcript.text == "hello there"


async def test_a_training_or_test_past_its_deadline_is_told_and_taken_off_the_queue(redis: RedisServer) -> None:
    backends = Backends()
    backends.model.delay = 5.0
    async with queue(redis, deadlines={"train": 0.5, "test": 0.5}) as work, worker(redis, backends):
        with pytest.raises(BackendUnavailable) as training:
            await work.run(TrainJob(DATASET, "embedded"))
        assert training.value.user_message == "Training took too long (over 0.5 s); please try again later."
        with pytest.raises(BackendUnavailable) as testing:
            await work.run(TestJob(DATASET, "embedded", 2))
        assert testing.value.user_message == "Testing took too long (over 0.5 s); please try again later."
    async with queue(redis, deadlines={"train": 0.5}) as work:  # no worker: the job waits, then leaves the queue
        with pytest.raises(BackendUnavailable):
            await work.run(TrainJob(DATASET, "embedded"))
        pool = await create_pool(redis_settings(redis.url))
        assert await pool.zcard(keys.QUEUE) == 0
        await pool.aclose()


async def test_a_job_past_its_deadline_on_a_worker_is_stopped_there_and_the_worker_takes_the_next_at_once(
    redis: RedisServer, captured_logs: list[structlog.typing.EventDict]
) -> None:
    backends = Backends()
    backends.model.delay = 60.0  # a fit that would hold the worker's one slot for a minute
    async with queue(redis, deadlines={"train": 0.5, "transcribe": 30.0}) as work, worker(redis, backends, 1):
        with pytest.raises(BackendUnavailable) as training:
            await work.run(TrainJob(DATASET, "embedded"))
        assert training.value.user_message == "Training took too long (over 0.5 s); please try again later."
        # One slot only: the next job runs as soon as the stopped one has left it, not a minute later.
        assert (await asyncio.wait_for(work.run(hello()), 10)).text == "hello there"
    assert backends.model.trained == []  # the fit was cancelled, not left to finish
    stopped = [entry for entry in captured_logs if entry["event"] == "job stopped at its deadline"]
    assert len(stopped) == 1 and str(stopped[0]["work_job"]).startswith("train-")
    pool = await create_pool(redis_settings(redis.url))
    assert await pool.zcard(keys.QUEUE) == 0
    assert [key async for key in pool.scan_iter("arq:in-progress:*")] == []
    await pool.aclose()


async def test_a_job_whose_deadline_passed_while_it_waited_in_the_queue_is_never_started(
    redis: RedisServer, captured_logs: list[structlog.typing.EventDict]
) -> None:
    backends = Backends()
    pool = await create_pool(redis_settings(redis.url), job_serializer=serialise, job_deserializer=deserialise)
    # Left in the queue by a bot that stopped waiting but could not take it off (Redis was away, or it died).
    late = await redis_now_ms(pool) - 1
    await pool.enqueue_job(
        keys.FUNCTION,
        with_deadline(encode_job(TrainJob(DATASET, "embedded")), late),
        _job_id="train-late",
        _queue_name=keys.QUEUE,
    )
    async with queue(redis, deadlines={"train": 30.0}) as work, worker(redis, backends, 1):
        artifact = await asyncio.wait_for(work.run(TrainJob(DATASET, "embedded")), 10)  # queued after it
        assert isinstance(artifact, TrainedArtifact)
        async with asyncio.timeout(10):
            while await pool.zcard(keys.QUEUE):
                await asyncio.sleep(0.05)
    assert backends.model.trained == [DATASET]  # the later job only
    events = [entry["event"] for entry in captured_logs if entry.get("work_job") == "train-late"]
    assert events == ["job not started: its deadline passed in the queue"]
    await pool.aclose()


async def test_a_delivery_of_a_job_past_its_deadline_is_dropped_and_its_lease_is_no_longer_renewed(
    redis: RedisServer, captured_logs: list[structlog.typing.EventDict], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A short lease, so that it lapses soon, renewed several times within its life as the real one is.
    monkeypatch.setattr(worker_module, "LEASE_SECONDS", 2.0)
    monkeypatch.setattr(worker_module, "RENEW_SECONDS", 0.25)
    pool = await create_pool(redis_settings(redis.url), job_serializer=serialise, job_deserializer=deserialise)
    lease = keys.in_progress_key("train-stubborn")
    released = asyncio.Event()

    class Stubborn:
        """An executor whose work does not stop when cancelled (a thread cannot be killed): it ends when let."""

        async def __call__(self, job: object, progress: object = None) -> None:
            while not released.is_set():
                with contextlib.suppress(asyncio.CancelledError):
                    await released.wait()

    await pool.psetex(lease, int(worker_module.LEASE_SECONDS * 1000), b"1")  # taken, as arq takes a job
    ctx = {"executor": Stubborn(), "redis": pool, "job_id": "train-stubborn", "job_try": 1}
    payload = encode_job(TrainJob(DATASET, "embedded"))
    running = asyncio.create_task(parrot_job(dict(ctx), with_deadline(payload, await redis_now_ms(pool) + 200)))
    try:
        # The job runs on, and its lease lapses all the same: renewed every RENEW_SECONDS, it never would.
        async with asyncio.timeout(30):
            while await pool.exists(lease):
                await asyncio.sleep(0.05)
        assert not running.done()
    finally:
        released.set()
    await running
    assert not await pool.exists(lease)  # nor made again by the job's end
    await parrot_job(dict(ctx, job_try=2), with_deadline(payload, await redis_now_ms(pool) + 60_000))  # again
    events = [entry["event"] for entry in captured_logs if entry.get("work_job") == "train-stubborn"]
    assert events == ["job stopped at its deadline", "job already done; this delivery is dropped"]
    await pool.aclose()


async def test_a_run_cancelled_while_its_job_waits_for_a_worker_takes_the_job_off_the_queue(redis: RedisServer) -> None:
    pool = await create_pool(redis_settings(redis.url))
    async with queue(redis) as work:
        waiting = asyncio.create_task(work.run(hello()))
        async with asyncio.timeout(10):
            while not await pool.zcard(keys.QUEUE):
                await asyncio.sleep(0.02)
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
        assert waiting.cancelled()
        assert await pool.zcard(keys.QUEUE) == 0
    await pool.aclose()


async def test_a_job_too_large_to_send_is_refused_before_it_is_queued(redis: RedisServer) -> None:
    async with queue(redis, max_payload_bytes=1000) as work:
        with pytest.raises(TooLarge) as refused:
            await work.run(TranscribeJob(b"speech:" + b"x" * 2000, "long.ogg", 600.0, None))
        assert "is too large" in refused.value.user_message
        pool = await create_pool(redis_settings(redis.url))
        assert await pool.zcard(keys.QUEUE) == 0
        await pool.aclose()


async def test_past_the_bounded_queue_users_are_told_to_try_again(redis: RedisServer) -> None:
    async with queue(redis, waiting=1) as work:
        first = asyncio.create_task(work.run(hello()))
        await asyncio.sleep(0.3)
        with pytest.raises(Busy):
            await work.run(hello())
        async with worker(redis, Backends()):
            assert (await asyncio.wait_for(first, 10)).text == "hello there"


async def test_an_unreachable_redis_at_start_is_one_line_naming_the_setting() -> None:
    work = RedisWorkQueue(f"redis://127.0.0.1:{free_port()}/0", waiting=1, deadlines={}, max_payload_bytes=1)
    with pytest.raises(WorkQueueUnreachable) as unreachable:
        await work.start()
    assert "work.redis_url" in str(unreachable.value) and "\n" not in str(unreachable.value)
    await work.close()


async def test_a_second_result_for_the_same_job_is_dropped_with_a_log_line(
    redis: RedisServer, captured_logs: list[structlog.typing.EventDict]
) -> None:
    backends = Backends()
    backends.stt.delay = 0.3
    pool = await create_pool(redis_settings(redis.url), job_serializer=serialise, job_deserializer=deserialise)
    payload = encode_job(hello())
    ctx = {"executor": backends.executor, "redis": pool, "job_id": "transcribe-twice", "job_try": 1}
    # Two deliveries of one job running at once, as when a worker was thought dead but was only slow.
    await asyncio.gather(parrot_job(dict(ctx), payload), parrot_job(dict(ctx, job_try=2), payload))
    await parrot_job(dict(ctx, job_try=3), payload)
    events = [entry["event"] for entry in captured_logs if entry.get("work_job") == "transcribe-twice"]
    assert events.count("job done") == 1
    assert events.count("second result for a job dropped") == 1
    assert events.count("job already done; this delivery is dropped") == 1
    assert await pool.llen(keys.done_key("transcribe-twice")) == 1  # type: ignore[misc]  # the bot is woken once
    await pool.aclose()


async def test_redis_lost_while_running_heavy_work_is_refused_then_resumes_by_itself(redis: RedisServer) -> None:
    async with queue(redis) as work, worker(redis, Backends()):
        assert (await work.run(hello())).text == "hello there"
        redis.stop()
        with pytest.raises(WorkUnavailable):
            await work.run(hello())
        redis.start()
        async with asyncio.timeout(20):
            while True:
                with contextlib.suppress(BackendUnavailable):
                    assert (await work.run(hello())).text == "hello there"
                    break
                await asyncio.sleep(0.2)


async def test_redis_restarted_mid_job_still_gives_exactly_one_result(redis: RedisServer) -> None:
    backends = Backends()
    backends.stt.delay = 1.5
    async with queue(redis) as work, worker(redis, backends):
        running = asyncio.create_task(work.run(hello()))
        await asyncio.sleep(0.5)
        redis.restart()  # empty: the queued job, its lease and any result are gone
        transcript = await asyncio.wait_for(running, 30)
    assert transcript.text == "hello there"


@pytest.mark.parametrize("command", ["worker", "chat"])
def test_parrot_stops_with_one_line_naming_the_setting_when_redis_is_unreachable(command: str, tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    done = run_parrot(command, data_root=tmp_path, PARROT_WORK_QUEUE="redis", PARROT_WORK_REDIS_URL=url)
    assert done.returncode == 1
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith("parrot: cannot reach Redis at 127.0.0.1:") and "(work.redis_url)" in line
    assert "Traceback" not in done.stderr


class OneDataset:
    async def dataset(self) -> Dataset:
        return DATASET


class MemoryCache:
    def __init__(self) -> None:
        self.saved: dict[str, TrainedArtifact] = {}

    async def load(self, key: str) -> TrainedArtifact | None:
        return self.saved.get(key)

    async def save(self, key: str, artifact: TrainedArtifact) -> None:
        self.saved[key] = artifact


async def test_the_starter_model_is_trained_by_a_worker_and_cached_by_the_bot(redis: RedisServer) -> None:
    backends, cache = Backends(), MemoryCache()
    async with queue(redis) as work:
        starter = StarterKnowledge(OneDataset(), cache, backends.model, work)
        building = asyncio.create_task(starter.model())
        await asyncio.sleep(1.0)
        assert not building.done() and backends.model.trained == []  # waits for a worker: nothing fits here
        async with worker(redis, backends):
            model = await asyncio.wait_for(building, 10)
        assert model is not None and backends.model.trained == [DATASET]
        assert list(cache.saved) == [f"{DATASET.content_hash}-embedded"]
