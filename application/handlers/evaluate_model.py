from collections.abc import Sequence

import structlog

from application.active_models import ActiveModels
from application.jobs import Job, JobRunner
from application.messagebus import BusMessage
from application.ports.clock import Clock
from application.ports.model import ModelStore, ReportRenderer
from application.ports.work import TestJob, WorkQueue
from application.progress import ReportedJob
from application.publisher import EventPublisher
from application.training_data import TrainingData
from domain.commands import TestModel
from domain.errors import NoModel
from domain.events import ModelTested
from domain.ids import ChannelId
from domain.messages import OutgoingFile
from domain.training import EvaluationReport

log = structlog.get_logger("parrot.testing")


class EvaluateModelHandler:
    """Evaluates the active model on given data, or cross-validates the selected dataset, as a test job."""

    def __init__(
        self,
        data: TrainingData,
        default_backend: str,
        models: ActiveModels,
        store: ModelStore,
        renderer: ReportRenderer,
        jobs: JobRunner,
        work: WorkQueue,
        publish: EventPublisher,
        clock: Clock,
        folds: int = 5,
        progress_interval: float = 2.0,
    ) -> None:
        self._data = data
        self._default_backend = default_backend
        self._models = models
        self._store = store
        self._renderer = renderer
        self._jobs = jobs
        self._work = work
        self._publish = publish
        self._clock = clock
        self._folds = folds
        self._progress_interval = progress_interval

    async def __call__(self, command: TestModel) -> Sequence[BusMessage]:
        message = command.message
        space = message.space
        self._jobs.ensure_free(space)
        # Inline lines or the selected dataset are read at once, so a refusal is this command's reply.
        ready = await self._prepare(command) if command.attachment is None else None

        async def work(job: Job) -> None:
            reported = ReportedJob(self._publish, job, message.channel_id, message.id, self._progress_interval)
            prepared = ready
            if prepared is None:
                # The download runs in the job, never under the channel's lock: a stalled one holds nothing.
                job.stage = "downloading the data"
                prepared = await reported.prepare(lambda: self._prepare(command))
                if prepared is None:
                    return
            test, number = prepared
            await self._run(job, reported, test, number, message.channel_id)

        # Registered before any download, so `train status` and one job per space see it at once.
        self._jobs.start(space, "test", self._clock.now(), work)
        return ()

    async def _prepare(self, command: TestModel) -> tuple[TestJob, int | None]:
        """The test job, and the model version it scores (None: cross-validating the selected dataset)."""
        space = command.message.space
        # Test data is evaluated, never kept: it must not land among the training datasets.
        given = await self._data.test_data(command.inline_text, command.attachment)
        if given is not None:
            active = await self._models.get(space)
            if active is None:
                raise NoModel("There is no trained model to test yet: `train` one first.")
            number = active[0]
            artifact = await self._store.load_artifact(space, number)
            return TestJob(given, artifact.backend, self._folds, artifact), number
        selected = await self._data.selected(space)
        await self._data.check(selected)
        dataset = await self._data.with_corrections(space, selected)
        return TestJob(dataset, self._default_backend, self._folds), None

    async def _run(
        self, job: Job, reported: ReportedJob, test: TestJob, number: int | None, channel_id: ChannelId
    ) -> None:
        def on_progress(fraction: float, stage: str) -> None:
            job.fraction = max(0.0, min(1.0, fraction))
            job.stage = stage

        async def evaluate() -> tuple[EvaluationReport, bytes]:
            report = await self._work.run(test, on_progress)
            png = await self._renderer.confusion_png(report)
            await self._store.save_report(job.space, number, report, png)
            return report, png

        result = await reported.run(f"Testing `{job.id}` started.", evaluate)
        if result is None:
            return
        report, png = result
        tested = f"model version {number}" if number is not None else "the selected dataset"
        await reported.succeed(
            f"Testing `{job.id}` done ({tested}).",
            OutgoingFile("confusion.png", png, "confusion matrix"),
            report.summary(),
        )
        await self._publish(ModelTested(job.space, channel_id, report, number))
