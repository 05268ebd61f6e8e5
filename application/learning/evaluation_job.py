"""A test of a model as a job: asked for with data (`TestRequest`), run by `RunTest` in the background.

Given data scores the active model; without, the selected dataset is cross-validated. The report is kept with
its confusion picture, and the outcome is told as domain events.
"""

from dataclasses import dataclass
from typing import ClassVar

import structlog

from application.jobs.progress import ReportedJob
from application.jobs.publisher import EventPublisher
from application.jobs.runner import DataSource, JobRequest
from application.learning.active_models import ActiveModels
from application.learning.training_data import TrainingData
from application.ports.model import ModelStore, ReportRenderer
from application.ports.work import TestJob, WorkQueue
from domain.errors import NoModel
from domain.events import ModelTested
from domain.messages import OutgoingFile
from domain.spaces import Space
from domain.text import CommandRef, say
from domain.training import EvaluationReport

log = structlog.get_logger("parrot.testing")


@dataclass(frozen=True, slots=True)
class TestSet:
    """A test, ready for the work port, and the model version it scores (None: cross-validating the selected data)."""

    __test__: ClassVar[bool] = False  # not a pytest class, whatever its name

    job: TestJob
    version: int | None = None


@dataclass(frozen=True, slots=True)
class TestRequest(JobRequest):
    """Test on the data from `source`; `ready` is the test when the command could read its data at once."""

    __test__: ClassVar[bool] = False
    kind: ClassVar[str] = "test"

    source: DataSource
    ready: TestSet | None = None


class TestInput:
    """Reads a test's data: what the command gives scores the active model, else the selected dataset is
    cross-validated with the default backend."""

    __test__: ClassVar[bool] = False

    def __init__(
        self, data: TrainingData, models: ActiveModels, store: ModelStore, default_backend: str, folds: int = 5
    ) -> None:
        self._data = data
        self._models = models
        self._store = store
        self._default_backend = default_backend
        self._folds = folds

    async def __call__(self, space: Space, source: DataSource) -> TestSet:
        # Test data is evaluated, never kept: it must not land among the training datasets.
        given = await self._data.test_data(source.inline_text, source.attachment)
        if given is not None:
            active = await self._models.get(space)
            if active is None:
                raise NoModel(say("There is no trained model to test yet: ", CommandRef("train"), " one first."))
            number = active[0]
            artifact = await self._store.load_artifact(space, number)
            return TestSet(TestJob(given, artifact.backend, self._folds, artifact), number)
        selected = await self._data.selected(space, "test")
        await self._data.check(selected)
        dataset = await self._data.with_corrections(space, selected)
        return TestSet(TestJob(dataset, self._default_backend, self._folds))


class RunTest:
    """The job use case for a `TestRequest`: registered with the job runner, which runs it in the background."""

    __test__: ClassVar[bool] = False

    def __init__(
        self,
        read: TestInput,
        store: ModelStore,
        renderer: ReportRenderer,
        work: WorkQueue,
        publish: EventPublisher,
        progress_interval: float = 2.0,
    ) -> None:
        self._read = read
        self._store = store
        self._renderer = renderer
        self._work = work
        self._publish = publish
        self._progress_interval = progress_interval

    async def __call__(self, job_id: str, request: TestRequest) -> None:
        reported = ReportedJob(self._publish, job_id, request, self._progress_interval)
        prepared = await reported.data(request.ready, self._read, request.source)
        if prepared is None:
            return
        result = await reported.run(f"Testing `{job_id}` started.", self._evaluate(request, prepared, reported))
        if result is None:
            return
        report, png = result
        tested = f"model version {prepared.version}" if prepared.version is not None else "the selected dataset"
        await reported.succeed(
            f"Testing `{job_id}` done ({tested}).",
            OutgoingFile("confusion.png", png, "confusion matrix"),
            report.summary(),
        )
        await self._publish(ModelTested(request.space, request.channel_id, report, prepared.version))

    async def _evaluate(
        self, request: TestRequest, prepared: TestSet, reported: ReportedJob
    ) -> tuple[EvaluationReport, bytes]:
        report = await self._work.run(prepared.job, reported.progressed)
        png = await self._renderer.confusion_png(report)
        await self._store.save_report(request.space, prepared.version, report, png)
        return report, png
