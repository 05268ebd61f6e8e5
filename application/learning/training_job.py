"""A training as a job: asked for with data (`TrainRequest`), run by `RunTraining` in the background.

The job reads its data (downloading an attached file, with the download's own timeout), fits a model through the
work port, publishes the artifact atomically and activates it, and tells all of it as domain events. A failure
leaves the active model as it was.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import structlog

from application.jobs.progress import ReportedJob
from application.jobs.publisher import EventPublisher
from application.jobs.runner import DataSource, JobRequest
from application.learning.active_models import ActiveModels
from application.learning.starter import StarterKnowledge
from application.learning.training_data import TrainingData
from application.ports.clock import Clock
from application.ports.model import ModelBackend, ModelStore
from application.ports.storage import SettingsStore
from application.ports.work import TrainJob, WorkQueue
from domain.events import ModelTrained, TrainingFailed
from domain.spaces import Space
from domain.text import Code, CommandRef, Text, codes, say
from domain.training import Dataset, ModelVersion

log = structlog.get_logger("parrot.training")


@dataclass(frozen=True, slots=True)
class TrainingSet:
    """A training's data, read and checked: corrections folded in, the starter added when asked.

    `kept_as` names the data given with the command, now kept among the datasets (None: the selected one).
    """

    dataset: Dataset
    kept_as: str | None = None


@dataclass(frozen=True, slots=True)
class TrainRequest(JobRequest):
    """Train `backend` on the data from `source`; `ready` is that data when the command could read it at once."""

    kind: ClassVar[str] = "train"

    backend: str
    source: DataSource
    ready: TrainingSet | None = None


class TrainingInput:
    """Reads a training's data: what the command gives (checked, then kept), else the selected dataset."""

    def __init__(
        self,
        data: TrainingData,
        settings: SettingsStore,
        starter: StarterKnowledge | None = None,
        keep_starter: bool = False,
    ) -> None:
        self._data = data
        self._settings = settings
        self._starter = starter
        self._keep_starter = keep_starter

    async def __call__(self, space: Space, source: DataSource) -> TrainingSet:
        given = await self._data.given(space, source.inline_text, source.attachment)  # checked, then kept
        chosen = given if given is not None else await self._data.selected(space)
        if given is None:
            await self._data.check(chosen)
        dataset = await self._data.with_corrections(space, chosen)
        # `--with-starter`, else the space's `settings starter`, else `model.keep_starter`.
        kept_by_space = (await self._settings.load(space)).keep_starter
        keep_starter = kept_by_space if kept_by_space is not None else self._keep_starter
        if self._starter is not None and (source.with_starter or keep_starter):
            dataset = await self._starter.extend(dataset)
        return TrainingSet(dataset, given.name if given is not None else None)


class RunTraining:
    """The job use case for a `TrainRequest`: registered with the job runner, which runs it in the background."""

    def __init__(
        self,
        read: TrainingInput,
        data: TrainingData,
        backends: Mapping[str, ModelBackend],
        store: ModelStore,
        models: ActiveModels,
        work: WorkQueue,
        publish: EventPublisher,
        clock: Clock,
        progress_interval: float = 2.0,
    ) -> None:
        self._read = read
        self._data = data
        self._backends = backends
        self._store = store
        self._models = models
        self._work = work
        self._publish = publish
        self._clock = clock
        self._progress_interval = progress_interval

    async def __call__(self, job_id: str, request: TrainRequest) -> None:
        reported = ReportedJob(self._publish, job_id, request, self._progress_interval)
        prepared = await reported.data(request.ready, self._read, request.source)
        if prepared is None:
            return
        dataset = prepared.dataset
        backend = self._backends[request.backend]  # checked by the command
        kept = say(" The data is kept as ", Code(prepared.kept_as), ".") if prepared.kept_as is not None else Text()
        version = await reported.run(
            say(
                f"Training `{job_id}` started on {len(dataset.examples)} examples, "
                f"{len(dataset.intents)} intents ({backend.name}).",
                kept,
            ),
            self._train(request, backend, dataset, reported),
            failed_note=" The active model is unchanged.",
        )
        if version is None:
            failure = reported.failure or "unknown"
            await self._publish(TrainingFailed(request.space, job_id, request.channel_id, failure))
            return
        await reported.succeed(
            say(
                f"Training `{job_id}` done: model version {version.number} ({version.backend}), "
                f"{version.example_count} examples, {len(version.intents)} intents. It answers from now on.",
                _unanswered_warning(dataset),
            )
        )
        await self._publish(ModelTrained(request.space, job_id, request.channel_id, version))
        if prepared.kept_as is not None:
            # What was just trained on is what a plain `!train` retrains on, with new corrections.
            await self._data.select(request.space, prepared.kept_as)

    async def _train(
        self, request: TrainRequest, backend: ModelBackend, dataset: Dataset, reported: ReportedJob
    ) -> ModelVersion:
        # Fitted wherever the work queue runs it; the artifact comes back here, where user data lives.
        artifact = await self._work.run(TrainJob(dataset, request.backend), reported.progressed)
        reported.progressed(1.0, "publishing")
        model = await backend.load(artifact)
        # Published and activated in one step: another process training the same space at the same
        # time can never leave an older version active after this one is announced.
        version = await self._store.publish(
            request.space,
            artifact,
            ModelVersion(
                number=0,
                backend=artifact.backend,
                dataset_name=dataset.name,
                dataset_hash=dataset.content_hash,
                created_at=self._clock.now(),
                example_count=len(dataset.examples),
                intents=dataset.intents,
                metrics=dict(artifact.metrics),
            ),
            activate=True,
        )
        self._models.put(request.space, version.number, model)
        return version


def _unanswered_warning(dataset: Dataset, named: int = 3) -> Text:
    """What a model trained without answers does, and the two ways to give them, or nothing when all have one."""
    missing = dataset.unanswered
    if not missing:
        return Text()
    more = ", ..." if len(missing) > named else ""
    return say(
        f"\nWarning: {len(missing)} of {len(dataset.intents)} intents have no answer, so I can only reply with "
        "their name (",
        codes(missing[:named]),
        more,
        "). To give them answers, add an ",
        Code("answer"),
        " column (in JSON, an ",
        Code("answer"),
        " field) to the data and train again, or reply to such a reply with ",
        CommandRef("correct THE ANSWER"),
        ": the next training makes it that intent's answer.",
    )
