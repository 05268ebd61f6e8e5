"""Long work (training, testing) as jobs: one per space at a time, each with an id, cancelled cleanly on shutdown.

A job is asked for with data, a `JobRequest`, never a closure: the runner gives it an id and runs the use case
registered for the request's type in the background, as the bus does a command's handler. What the runner knows
of a running job (its stage, how far it got) comes only from the job's domain events, which it subscribes to.
"""

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol, TypeAlias, TypeVar

import structlog

from application.ports.clock import Clock
from domain.errors import JobAlreadyRunning
from domain.events import JobFailed, JobProgressed, JobRefused, JobStarted, JobSucceeded
from domain.ids import ChannelId, MessageId
from domain.messages import Attachment
from domain.spaces import Space

D = TypeVar("D", covariant=True)
T = TypeVar("T")

log = structlog.get_logger("parrot.jobs")


@dataclass(frozen=True, slots=True)
class JobRequest:
    """What a long job is asked to do: the space it works for, and where its progress and outcome are told."""

    kind: ClassVar[str] = ""  # names the job: its id (`train-1`), `train status`, the progress message

    space: Space
    channel_id: ChannelId
    asked_by: MessageId


@dataclass(frozen=True, slots=True)
class DataSource:
    """Where a job's data comes from: lines typed with the command, a file attached to it, or (neither) the
    space's selected dataset; `with_starter` adds the starter knowledge (training only)."""

    inline_text: str = ""
    attachment: Attachment | None = None
    with_starter: bool = False


class JobInput(Protocol[D]):
    """Reads and checks a job's data; a refusal is a ParrotError in words for the user."""

    async def __call__(self, space: Space, source: DataSource) -> D: ...


# Runs one job to its end: given the job's id and its request, it tells everything through the job's events.
JobUseCase: TypeAlias = Callable[[str, Any], Awaitable[None]]
JobEvent: TypeAlias = JobStarted | JobProgressed | JobSucceeded | JobFailed | JobRefused


@dataclass
class Job:
    """The runner's record of a job, for `train status` and the review page; its stage follows the job's events."""

    id: str
    space: Space
    kind: str
    started_at: datetime
    fraction: float = 0.0
    stage: str = "queued"
    task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()


class JobRunner:
    def __init__(self, use_cases: Mapping[type[JobRequest], JobUseCase], clock: Clock) -> None:
        self._use_cases = dict(use_cases)
        self._clock = clock
        self._counter = itertools.count(1)
        self._by_space: dict[Space, Job] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def current(self, space: Space) -> Job | None:
        return self._by_space.get(space)

    def ensure_free(self, space: Space) -> None:
        existing = self._by_space.get(space)
        if existing is not None and existing.running:
            raise JobAlreadyRunning(
                f"A {existing.kind} job (`{existing.id}`) is already running here: "
                f"{existing.stage}, {existing.fraction:.0%}. Wait for it to finish."
            )

    def submit(self, request: JobRequest) -> Job:
        """Registers the job at once (one per space), then runs its use case in the background; returns its record."""
        use_case = self._use_cases[type(request)]  # a request nobody runs is a wiring mistake: the bus apologises
        self.ensure_free(request.space)
        job = Job(
            id=f"{request.kind}-{next(self._counter)}",
            space=request.space,
            kind=request.kind,
            started_at=self._clock.now(),
        )
        self._by_space[request.space] = job
        job.task = asyncio.create_task(self._run(job.id, request, use_case), name=job.id)
        self._tasks.add(job.task)
        job.task.add_done_callback(self._tasks.discard)
        return job

    async def on_event(self, event: JobEvent) -> tuple[()]:
        """Follows a job's events (an event subscriber), so `train status` shows what the job last told."""
        job = self._by_space.get(event.space)
        if job is None or job.id != event.job_id:
            return ()
        if isinstance(event, JobStarted):
            job.stage = "started"
        elif isinstance(event, JobProgressed):
            job.fraction, job.stage = max(0.0, min(1.0, event.fraction)), event.stage
        elif isinstance(event, JobSucceeded):
            job.fraction, job.stage = 1.0, "done"
        else:
            job.stage = "failed"
        return ()

    async def read_at_once(self, space: Space, source: DataSource, read: JobInput[T]) -> T | None:
        """The start handlers share: refuse while a job runs here, then read typed lines or the selected dataset
        at once, so a refusal is the command's own reply. An attached file is left to the job (None): a stalled
        download never holds the channel."""
        self.ensure_free(space)
        return None if source.attachment is not None else await read(space, source)

    @staticmethod
    async def _run(job_id: str, request: JobRequest, use_case: JobUseCase) -> None:
        with structlog.contextvars.bound_contextvars(job_id=job_id):
            try:
                await use_case(job_id, request)
            except asyncio.CancelledError:
                log.info("job cancelled")
                raise
            except Exception:
                # The use case reports its own failures to the user; this is the last line of defence.
                log.exception("job crashed")

    async def wait_idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def shutdown(self, deadline: float) -> None:
        """Let running jobs finish within `deadline` seconds, then cancel the rest."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(list(self._tasks), timeout=deadline)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
