"""The distributed work queue (`work.queue = "redis"`): jobs go through Redis to `parrot worker` processes.

Built on arq (docs/several-machines.md says why arq and not taskiq). Delivery is at least once: arq keeps a job in its
queue until a worker finishes it, and a worker holds a short lease on it while it runs (keys.in_progress_key),
renewed every few seconds; a killed worker's lease lapses and another worker takes the job. The first result
written wins (SET NX); the bot reads exactly one, so the user gets exactly one answer.

Deadlines travel with the job. arq has no per-job timeout (a function's `timeout` is the same for every job
of it) and its `_expires` only keeps a job from starting, so the job's document carries `deadline_ms`
(codec.with_deadline): the moment its answer is no longer awaited, on the Redis server's clock (TIME), which
the bot and every worker share whatever their own clocks say. The worker runs the job only until then
(worker.py): one that waited past it in the queue is never started, one running then is stopped, its fitting
process killed. arq's `_expires`, a little later, lets Redis drop a job nobody ran and nobody awaits.

Everything crosses Redis as JSON (codec.py), bytes as base64; nothing is pickled. The bot keeps every user's
data: a trained model comes back as an artifact the bot publishes itself.
"""

import asyncio
import time
import uuid
from collections.abc import Mapping
from typing import Any

import structlog
from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.jobs import Job as ArqJob
from arq.jobs import JobStatus
from redis.exceptions import RedisError

from adapters.work import codec, keys
from adapters.work.local import WHAT
from application.jobs.deadlines import too_long
from application.ports.model import ProgressCallback
from application.ports.work import Job, T, WorkQueueUnreachable
from domain.errors import BackendUnavailable, Busy, TooLarge, WorkUnavailable

log = structlog.get_logger("parrot.work")

WORKER_LOST = "The worker doing that stopped too often; please try again."
# How long the bot waits for Redis to come back while a job is under way, before it answers UNAVAILABLE.
RECONNECT_SECONDS = 15.0
# How long past its deadline a job stays in Redis for arq to drop: the bot has answered by then (at the deadline).
EXPIRY_GRACE_SECONDS = 60.0
_TICK = 0.25


def redis_settings(url: str) -> RedisSettings:
    settings = RedisSettings.from_dsn(url)
    settings.conn_retries = 0
    settings.conn_timeout = 2
    return settings


async def redis_now_ms(redis: ArqRedis) -> int:
    """Now, on the Redis server's clock: the one clock the bot and every worker share."""
    seconds, microseconds = await redis.time()
    return int(seconds) * 1000 + int(microseconds) // 1000


def serialise(document: Any) -> bytes:
    return codec.dumps(document)


def deserialise(data: bytes) -> Any:
    return codec.loads(data)


def unpack_result(kind: str, document: codec.JSON, deadline: float | None) -> object:
    """The value a result document stands for, or the refusal it carries, raised."""
    if document.get("ok"):
        return codec.decode_result(kind, document["result"])
    if document.get("past_deadline"):
        # The worker reached the deadline a moment before this process noticed (it goes by Redis's clock).
        raise too_long(WHAT.get(kind, "That work"), deadline or 0.0)
    refusal = document.get("refusal")
    if isinstance(refusal, dict):
        raise codec.decode_refusal(refusal)
    raise BackendUnavailable(f"{WHAT.get(kind, 'That work')} failed on a worker (logged there).")


class RedisWorkQueue:
    def __init__(
        self,
        url: str,
        *,
        waiting: int,
        deadlines: Mapping[str, float],
        max_payload_bytes: int,
    ) -> None:
        self._url = url
        self._waiting = waiting
        self._deadlines = dict(deadlines)
        self._max_payload_bytes = max_payload_bytes
        self._redis: ArqRedis | None = None
        self._connecting = asyncio.Lock()

    async def start(self) -> None:
        """Connect now, so a wrong `work.redis_url` stops the start with one clear line."""
        try:
            await self._connection()
        except (RedisError, OSError) as error:
            settings = redis_settings(self._url)
            raise WorkQueueUnreachable(
                f"cannot reach Redis at {settings.host}:{settings.port} (work.redis_url): {type(error).__name__}"
            ) from None

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    async def run(self, job: Job[T], progress: ProgressCallback | None = None) -> T:
        payload = codec.encode_job(job)
        size = len(codec.dumps(payload))
        if size > self._max_payload_bytes:
            raise TooLarge(f"That {WHAT.get(job.kind, 'job').lower()} job", size, self._max_payload_bytes)
        job_id = f"{job.kind}-{uuid.uuid4().hex}"
        deadline = self._deadlines.get(job.kind)
        started = time.monotonic()
        with structlog.contextvars.bound_contextvars(work_job=job_id):
            try:
                redis = await self._connection()
                if await redis.zcard(keys.QUEUE) >= self._waiting:
                    raise Busy()
                if deadline is not None:
                    left_ms = round((deadline - (time.monotonic() - started)) * 1000)
                    payload = codec.with_deadline(payload, await redis_now_ms(redis) + left_ms)
                await self._enqueue(redis, job_id, payload)
                document = await self._wait(job_id, job.kind, payload, progress, started, deadline)
            except (RedisError, OSError):
                log.warning("work queue unreachable", exc_info=True)
                raise WorkUnavailable() from None
            except asyncio.CancelledError:
                # Nobody awaits it any more (its job was cancelled, the bot is stopping): no worker should start
                # it. One already running it goes on until its deadline at most, which went with it.
                await self._forget(job_id)
                raise
        return unpack_result(job.kind, document, deadline)  # type: ignore[return-value]

    async def _connection(self) -> ArqRedis:
        async with self._connecting:
            if self._redis is None:
                self._redis = await create_pool(
                    redis_settings(self._url),
                    job_serializer=serialise,
                    job_deserializer=deserialise,
                    default_queue_name=keys.QUEUE,
                )
            return self._redis

    async def _enqueue(self, redis: ArqRedis, job_id: str, payload: codec.JSON) -> None:
        expires = None
        deadline_ms = codec.deadline_of(payload)
        if deadline_ms is not None:
            expires = max(0.0, (deadline_ms - await redis_now_ms(redis)) / 1000) + EXPIRY_GRACE_SECONDS
        await redis.enqueue_job(keys.FUNCTION, payload, _job_id=job_id, _queue_name=keys.QUEUE, _expires=expires)
        log.debug("work enqueued")

    async def _wait(
        self,
        job_id: str,
        kind: str,
        payload: codec.JSON,
        progress: ProgressCallback | None,
        started: float,
        deadline: float | None,
    ) -> codec.JSON:
        shown: bytes | None = None
        lost_since: float | None = None
        while True:
            if deadline is not None and time.monotonic() - started > deadline:
                # The worker running it (if one is) stops it at the same moment: the deadline went with the job.
                await self._forget(job_id)
                raise too_long(WHAT.get(kind, "That work"), deadline)
            try:
                redis = await self._connection()
                # Wakes the moment the worker signals; the result key is read either way (a signal may expire).
                await redis.blpop([keys.done_key(job_id)], timeout=_TICK)  # type: ignore[arg-type,misc]  # Redis 6+ takes seconds as a float
                raw = await redis.get(keys.result_key(job_id))
                if raw is not None:
                    return codec.loads(raw)
                if progress is not None:
                    shown = await self._relay_progress(redis, job_id, progress, shown)
                await self._check_still_queued(redis, job_id, payload)
                lost_since = None
            except (RedisError, OSError) as error:
                # Redis went away mid-job: wait a while for it to come back, then answer that it can't be done.
                now = time.monotonic()
                lost_since = lost_since or now
                if now - lost_since > RECONNECT_SECONDS:
                    raise
                log.info("work queue connection lost; retrying", error=type(error).__name__)
                await asyncio.sleep(_TICK)

    async def _check_still_queued(self, redis: ArqRedis, job_id: str, payload: codec.JSON) -> None:
        """Re-enqueue a job Redis forgot (restarted without persistence); fail one arq gave up on."""
        status = await ArqJob(job_id, redis, _queue_name=keys.QUEUE, _deserializer=deserialise).status()
        if status == JobStatus.not_found:
            if await redis.exists(keys.result_key(job_id)):
                return
            log.warning("work job lost by Redis; enqueued again")
            await self._enqueue(redis, job_id, payload)
        elif status == JobStatus.complete and not await redis.exists(keys.result_key(job_id)):
            # arq finished it without our result: every try was cut short (a worker killed each time).
            log.error("work job given up by the queue")
            raise BackendUnavailable(WORKER_LOST)

    @staticmethod
    async def _relay_progress(
        redis: ArqRedis, job_id: str, progress: ProgressCallback, shown: bytes | None
    ) -> bytes | None:
        raw = await redis.get(keys.progress_key(job_id))
        if raw is not None and raw != shown:
            fraction, stage = codec.loads(raw)["progress"]
            progress(float(fraction), str(stage))
        return raw if raw is not None else shown

    async def _forget(self, job_id: str) -> None:
        """A job nobody waits for any more is taken off the queue, so no worker spends time on it."""
        try:
            redis = await self._connection()
            await redis.zrem(keys.QUEUE, job_id)
        except (RedisError, OSError):
            log.info("could not take an abandoned job off the queue")
