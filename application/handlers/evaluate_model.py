from collections.abc import Sequence

import structlog

from application.active_models import ActiveModels
from application.jobs import Job, JobRunner
from application.messagebus import BusMessage
from application.ports.chat import ChatOutput
from application.ports.clock import Clock
from application.ports.model import ModelStore, ReportRenderer
from application.ports.work import TestJob, WorkQueue
from application.progress import ReportedJob
from application.publisher import EventPublisher
from application.training_data import TrainingData
from domain.commands import TestModel
from domain.errors import NoModel
from domain.events import ModelTested
from domain.ids import ChannelId, MessageId
from domain.messages import OutgoingFile
from domain.training import EvaluationReport

log = structlog.get_logger("parrot.testing")


class EvaluateModelHandler:
    """Evaluates the active model on given data, or cross-validates the selected dataset, as a test job."""

    def __init__(
        self,
        chat: ChatOutput,
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
        self._chat = chat
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
        # Test data is evaluated, never kept: it must not land among the training datasets.
        given = await self._data.test_data(command.inline_text, command.attachment)
        number: int | None
        if given is not None:
            active = await self._models.get(space)
            if active is None:
                raise NoModel("There is no trained model to test yet: `train` one first.")
            number = active[0]
            artifact = await self._store.load_artifact(space, number)
            test = TestJob(given, artifact.backend, self._folds, artifact)
        else:
            selected = await self._data.selected(space)
            await self._data.check(selected)
            dataset = await self._data.with_corrections(space, selected)
            test = TestJob(dataset, self._default_backend, self._folds)
            number = None

        async def work(job: Job) -> None:
            await self._run(job, test, number, message.channel_id, message.id)

        self._jobs.start(space, "test", self._clock.now(), work)
        return ()

    async def _run(
        self, job: Job, test: TestJob, number: int | None, channel_id: ChannelId, asked_by: MessageId
    ) -> None:
        def on_progress(fraction: float, stage: str) -> None:
            job.fraction = max(0.0, min(1.0, fraction))
            job.stage = stage

        async def evaluate() -> tuple[EvaluationReport, bytes]:
            report = await self._work.run(test, on_progress)
            png = await self._renderer.confusion_png(report)
            await self._store.save_report(job.space, number, report, png)
            return report, png

        reported = ReportedJob(self._chat, job, channel_id, asked_by, "Testing", self._progress_interval)
        result = await reported.run(f"Testing `{job.id}` started.", evaluate)
        if result is None:
            return
        report, png = result
        tested = f"model version {number}" if number is not None else "the selected dataset"
        await reported.succeed(f"Testing `{job.id}` done ({tested}).")
        await self._chat.send_file(
            channel_id,
            OutgoingFile("confusion.png", png, "confusion matrix"),
            text=report.summary(),
            reply_to=asked_by,
        )
        await self._publish(ModelTested(job.space, channel_id, report, number))
