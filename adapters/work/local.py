"""The in-process work queue (`work.queue = "local"`, the default): jobs run in this process, on today's pools.

Hearing passes a bounded gate (past it, users are told to try again shortly) and has a deadline; speaking is
bounded by each guild's voice queue, training and testing by one job per space. The blocking work itself runs
off the event loop in the backends' own pools: a thread per speech model, a process per fit for the model
backends. A job past its deadline is cancelled, and a cancelled fit has its process killed (FitProcesses).
"""

from collections.abc import Mapping

import structlog

from application.jobs.deadlines import within
from application.jobs.executor import JobExecutor
from application.jobs.work_gate import WorkGate
from application.ports.model import ProgressCallback
from application.ports.work import Job, T

log = structlog.get_logger("parrot.work")

# What a job that overran its deadline is called in the answer ("Hearing that audio took too long").
WHAT = {
    "transcribe": "Hearing that audio",
    "synthesise": "Speaking",
    "train": "Training",
    "test": "Testing",
    "warm_up": "Readying the speech models",
}


class LocalWorkQueue:
    def __init__(
        self,
        executor: JobExecutor,
        gates: Mapping[str, WorkGate],
        deadlines: Mapping[str, float],
    ) -> None:
        self._executor = executor
        self._gates = dict(gates)
        self._deadlines = dict(deadlines)

    async def run(self, job: Job[T], progress: ProgressCallback | None = None) -> T:
        gate = self._gates.get(job.kind)
        if gate is None:
            return await self._run(job, progress)
        async with gate.slot():
            return await self._run(job, progress)

    async def _run(self, job: Job[T], progress: ProgressCallback | None) -> T:
        work = self._executor(job, progress)
        deadline = self._deadlines.get(job.kind)
        return await (within(deadline, work, WHAT.get(job.kind, "That")) if deadline else work)

    async def start(self) -> None:
        """Nothing to connect to: the work runs here."""

    async def close(self) -> None:
        """The pools belong to the backends, closed with the container's resources."""
