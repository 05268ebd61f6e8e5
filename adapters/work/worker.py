"""`parrot worker`: a stateless process that takes jobs from the Redis queue, runs them, and writes results.

It loads the speech and model backends the settings name, and owns no user data. While a job runs, its lease
(arq's in-progress key) is renewed every few seconds with a short expiry, so when a worker is killed its job
goes to another worker within LEASE_SECONDS, however long the job may take.

A job runs until its deadline (its `deadline_ms`, on Redis's clock; see redis_queue.py), when the bot stops
waiting for it: one that waited past it in the queue is not started, one still running then is cancelled. A
cancelled training kills the process fitting it (adapters/model/fit_processes.py), the same way a deadline in
the in-process queue does. Either way a "past deadline" result is written, so a second delivery of the job
drops it, and the lease is no longer renewed after the deadline, so a job that will not stop is not held.
Hearing and speaking run in threads, which cannot be killed: Whisper, cancelled, stops at its next 30 s window
of audio; other backends end by themselves, bounded by the audio's length (`limits.audio_seconds`), and their
result is thrown away.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from arq.worker import Worker, func
from redis.exceptions import RedisError

from adapters.work import codec, keys
from adapters.work.redis_queue import RedisWorkQueue, deserialise, redis_now_ms, redis_settings, serialise
from application.jobs.executor import JobExecutor
from domain.errors import ParrotError

log = structlog.get_logger("parrot.worker")

LEASE_SECONDS = 10.0
RENEW_SECONDS = 2.0
PROGRESS_SECONDS = 0.25
# The longest one job may run on a worker before arq cancels it (training a large dataset on a slow machine).
JOB_SECONDS = 6 * 3600
# How often an idle worker asks Redis for work: the queue's latency floor, and a few cheap commands a second.
POLL_SECONDS = 0.002
TRIES = 3
# What a job stopped at its deadline, or never started because of it, leaves as its result.
PAST_DEADLINE: codec.JSON = {"ok": False, "past_deadline": True}


async def parrot_job(ctx: dict[str, Any], payload: dict[str, Any]) -> None:
    """arq calls this for each delivery of a job (more than once if a worker died while running it)."""
    executor: JobExecutor = ctx["executor"]
    redis = ctx["redis"]
    job_id: str = ctx["job_id"]
    with structlog.contextvars.bound_contextvars(work_job=job_id, attempt=ctx.get("job_try", 1)):
        if await redis.exists(keys.result_key(job_id)):
            log.info("job already done; this delivery is dropped")
            return
        try:
            deadline_ms = codec.deadline_of(payload)
        except codec.MalformedPayload:
            log.warning("malformed job dropped", exc_info=True)
            await _publish(redis, job_id, {"ok": False}, 0.0)
            return
        budget = None if deadline_ms is None else (deadline_ms - await redis_now_ms(redis)) / 1000
        if budget is not None and budget <= 0:
            await _publish(redis, job_id, PAST_DEADLINE, 0.0, "job not started: its deadline passed in the queue")
            return
        latest: list[tuple[float, str]] = []

        def on_progress(fraction: float, stage: str) -> None:
            latest.append((fraction, stage))  # may come from another thread: no Redis here

        started = time.monotonic()
        until = None if budget is None else started + budget
        keeper = asyncio.create_task(_keep_lease(redis, job_id, latest, until))
        try:
            document = await run_to_result_document(executor, payload, on_progress, budget)
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
        event = "job stopped at its deadline" if document is PAST_DEADLINE else "job done"
        await _publish(redis, job_id, document, time.monotonic() - started, event)


async def run_to_result_document(
    executor: JobExecutor,
    payload: dict[str, Any],
    on_progress: Callable[[float, str], None],
    budget: float | None,
) -> codec.JSON:
    """What running the job comes to, as the result document to publish; past `budget` seconds, PAST_DEADLINE."""
    try:
        job = codec.decode_job(payload)
    except codec.MalformedPayload:
        log.warning("malformed job dropped", exc_info=True)
        return {"ok": False}
    deadline = asyncio.timeout(budget)
    try:
        async with deadline:
            result = await executor(job, on_progress)
    except TimeoutError:
        if deadline.expired():  # cancelled then: a training's fitting process is killed
            return PAST_DEADLINE
        log.exception("job failed")
        return {"ok": False}
    except ParrotError as refusal:
        log.info("job refused", reason=type(refusal).__name__)
        return {"ok": False, "refusal": codec.encode_refusal(refusal)}
    except Exception:
        log.exception("job failed")
        return {"ok": False}
    if deadline.expired():  # it would not be cancelled, and ended late: nobody awaits its result any more
        return PAST_DEADLINE
    return {"ok": True, "result": codec.encode_result(job.kind, result)}


async def _publish(redis: Any, job_id: str, document: codec.JSON, seconds: float, event: str = "job done") -> None:
    first = await redis.set(keys.result_key(job_id), codec.dumps(document), nx=True, ex=keys.KEEP_SECONDS)
    if not first:
        # At-least-once delivery: another worker finished this job first, and its answer went out.
        log.info("second result for a job dropped", seconds=round(seconds, 3))
        return
    async with redis.pipeline(transaction=True) as pipe:
        pipe.rpush(keys.done_key(job_id), b"1")
        pipe.expire(keys.done_key(job_id), keys.KEEP_SECONDS)
        await pipe.execute()
    log.info(event, ok=bool(document.get("ok")), seconds=round(seconds, 3))


async def _keep_lease(redis: Any, job_id: str, latest: list[tuple[float, str]], until: float | None) -> None:
    """Hold the job's lease short and renewed, until the job's deadline at most; pass on its progress."""
    lease = keys.in_progress_key(job_id)
    renewed = 0.0
    while True:
        try:
            now = time.monotonic()
            # Past its deadline the job is being stopped: should it not stop, its lease lapses, and the next
            # delivery finds the deadline passed and drops it. Renewing would keep it alive.
            if now - renewed >= RENEW_SECONDS and (until is None or now < until):
                await redis.pexpire(lease, int(LEASE_SECONDS * 1000))
                renewed = now
            if latest:
                fraction, stage = latest[-1]
                latest.clear()
                await redis.set(
                    keys.progress_key(job_id), codec.dumps({"progress": [fraction, stage]}), ex=keys.KEEP_SECONDS
                )
        except RedisError:
            log.info("could not renew the job's lease", exc_info=True)
        await asyncio.sleep(PROGRESS_SECONDS)


async def check_reachable(url: str) -> None:
    """Raise WorkQueueUnreachable, naming `work.redis_url`, when Redis does not answer."""
    queue = RedisWorkQueue(url, waiting=1, deadlines={}, max_payload_bytes=1)
    try:
        await queue.start()
    finally:
        await queue.close()


def make_worker(url: str, executor: JobExecutor, concurrency: int) -> Worker:
    async def on_startup(ctx: dict[str, Any]) -> None:
        ctx["executor"] = executor

    # arq logs each job's arguments at info level: users' words and audio. Parrot's log records ids and events,
    # never message text (`!privacy` says so), so only arq's warnings pass; the worker logs "job done" itself.
    logging.getLogger("arq.worker").setLevel(logging.WARNING)
    worker = Worker(
        functions=[func(parrot_job, name=keys.FUNCTION, timeout=JOB_SECONDS, max_tries=TRIES)],
        queue_name=keys.QUEUE,
        redis_settings=redis_settings(url),
        max_jobs=concurrency,
        poll_delay=POLL_SECONDS,
        job_serializer=serialise,
        job_deserializer=deserialise,
        keep_result=60,
        log_results=False,
        on_startup=on_startup,
        handle_signals=False,
    )
    # arq takes a job with a lease as long as the longest job may run (hours); short from the first
    # moment instead, and renewed while the job runs, so a worker killed at any point frees it soon.
    worker.in_progress_timeout_s = LEASE_SECONDS
    return worker


async def serve(url: str, executor: JobExecutor, concurrency: int, stop: Awaitable[object] | None = None) -> None:
    """Take jobs until `stop` completes; when Redis goes away, wait for it and carry on."""
    stopping = asyncio.ensure_future(stop) if stop is not None else asyncio.get_running_loop().create_future()
    try:
        while not stopping.done():
            worker = make_worker(url, executor, concurrency)
            running = asyncio.ensure_future(worker.async_run())
            await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if stopping.done():
                running.cancel()
                with contextlib.suppress(asyncio.CancelledError, RedisError, OSError):
                    await running
                # Jobs cut short here are taken again by another worker once their lease lapses.
                with contextlib.suppress(asyncio.CancelledError, RedisError, OSError):
                    await worker.close()
                return
            error = running.exception()
            log.warning("worker lost Redis; reconnecting", error=type(error).__name__ if error else None)
            with contextlib.suppress(RedisError, OSError):
                await worker.close()
            await asyncio.sleep(1.0)
    finally:
        stopping.cancel()
