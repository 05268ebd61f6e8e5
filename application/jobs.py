"""Long work (training) as jobs: one per space at a time, each with an id, cancelled cleanly on shutdown."""

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import structlog

from domain.errors import JobAlreadyRunning
from domain.spaces import Space

log = structlog.get_logger("parrot.jobs")


@dataclass
class Job:
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


JobWork = Callable[[Job], Awaitable[None]]


class JobRunner:
    def __init__(self) -> None:
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

    def start(self, space: Space, kind: str, started_at: datetime, work: JobWork) -> Job:
        self.ensure_free(space)
        job = Job(id=f"{kind}-{next(self._counter)}", space=space, kind=kind, started_at=started_at)
        self._by_space[space] = job
        job.task = asyncio.create_task(self._run(job, work), name=job.id)
        self._tasks.add(job.task)
        job.task.add_done_callback(self._tasks.discard)
        return job

    async def _run(self, job: Job, work: JobWork) -> None:
        with structlog.contextvars.bound_contextvars(job_id=job.id):
            try:
                await work(job)
            except asyncio.CancelledError:
                log.info("job cancelled")
                raise
            except Exception:
                # The work reports its own failures to the user; this is the last line of defence.
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
