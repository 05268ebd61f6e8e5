import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence

import structlog

from application.active_models import ActiveModels
from application.jobs import Job, JobRunner
from application.messagebus import BusMessage
from application.ports.chat import ChatOutput
from application.ports.clock import Clock
from application.ports.model import IntentModel, ModelBackend, ModelStore, ReportRenderer
from application.progress import ReportedJob
from application.publisher import EventPublisher
from application.training_data import TrainingData
from domain.commands import TestModel
from domain.errors import NoModel
from domain.evaluation import evaluate_predictions, split_folds
from domain.events import ModelTested
from domain.ids import ChannelId, MessageId
from domain.messages import OutgoingFile
from domain.training import OUT_OF_SCOPE, Dataset, EvaluationReport

log = structlog.get_logger("parrot.testing")

Evaluate = Callable[[Job], Awaitable[EvaluationReport]]


class EvaluateModelHandler:
    """Evaluates the active model on given data, or cross-validates the selected dataset."""

    def __init__(
        self,
        chat: ChatOutput,
        data: TrainingData,
        backends: Mapping[str, ModelBackend],
        default_backend: str,
        models: ActiveModels,
        store: ModelStore,
        renderer: ReportRenderer,
        jobs: JobRunner,
        publish: EventPublisher,
        clock: Clock,
        folds: int = 5,
        progress_interval: float = 2.0,
    ) -> None:
        self._chat = chat
        self._data = data
        self._backends = backends
        self._default_backend = default_backend
        self._models = models
        self._store = store
        self._renderer = renderer
        self._jobs = jobs
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
        if given is not None:
            active = await self._models.get(space)
            if active is None:
                raise NoModel("There is no trained model to test yet: `train` one first.")
            version, model = active

            async def evaluate(job: Job) -> EvaluationReport:
                return await self._on_test_data(job, model, given)

            number: int | None = version
        else:
            selected = await self._data.selected(space)
            await self._data.check(selected)
            dataset = await self._data.with_corrections(space, selected)
            backend = self._backends[self._default_backend]

            async def evaluate(job: Job) -> EvaluationReport:
                return await self._cross_validate(job, backend, dataset)

            number = None

        async def work(job: Job) -> None:
            await self._run(job, evaluate, number, message.channel_id, message.id)

        self._jobs.start(space, "test", self._clock.now(), work)
        return ()

    async def _on_test_data(self, job: Job, model: IntentModel, dataset: Dataset) -> EvaluationReport:
        job.stage = "predicting"
        texts = [example.text for example in dataset.examples]
        predictions = await model.predict_many(texts)
        job.fraction = 1.0
        return await asyncio.to_thread(
            evaluate_predictions,
            [example.intent for example in dataset.examples],
            [p.intent if p.confident else OUT_OF_SCOPE for p in predictions],
            [p.confidence for p in predictions],
            "test data",
        )

    async def _cross_validate(self, job: Job, backend: ModelBackend, dataset: Dataset) -> EvaluationReport:
        smallest = min(dataset.counts().values(), default=0)
        folds = max(2, min(self._folds, smallest))
        truths: list[str] = []
        predicted: list[str] = []
        confidences: list[float] = []
        splits = await asyncio.to_thread(split_folds, dataset, folds, 0)
        for index, (train, held_out) in enumerate(splits):
            job.stage = f"fold {index + 1} of {len(splits)}"

            def on_progress(fraction: float, stage: str, index: int = index) -> None:
                del stage
                job.fraction = (index + fraction * 0.9) / len(splits)

            artifact = await backend.train(train, on_progress)
            model = await backend.load(artifact)
            predictions = await model.predict_many([example.text for example in held_out.examples])
            truths.extend(example.intent for example in held_out.examples)
            predicted.extend(p.intent if p.confident else OUT_OF_SCOPE for p in predictions)
            confidences.extend(p.confidence for p in predictions)
            job.fraction = (index + 1) / len(splits)
        # Scoring tries every threshold over every prediction: not on the event loop.
        return await asyncio.to_thread(
            evaluate_predictions, truths, predicted, confidences, f"{len(splits)}-fold cross-validation"
        )

    async def _run(
        self, job: Job, evaluate: Evaluate, number: int | None, channel_id: ChannelId, asked_by: MessageId
    ) -> None:
        async def test() -> tuple[EvaluationReport, bytes]:
            report = await evaluate(job)
            png = await self._renderer.confusion_png(report)
            await self._store.save_report(job.space, number, report, png)
            return report, png

        reported = ReportedJob(self._chat, job, channel_id, asked_by, "Testing", self._progress_interval)
        result = await reported.run(f"Testing `{job.id}` started.", test)
        if result is None:
            return
        report, png = result
        tested = f"model version {number}" if number is not None else "the selected dataset"
        await reported.succeed(f"Testing `{job.id}` done ({tested}).")
        await self._chat.send_file(
            channel_id, OutgoingFile("confusion.png", png, "confusion matrix"), text=report.summary()
        )
        await self._publish(ModelTested(job.space, channel_id, report, number))
