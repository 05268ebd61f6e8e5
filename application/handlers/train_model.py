from collections.abc import Mapping, Sequence

import structlog

from application.active_models import ActiveModels
from application.jobs import Job, JobRunner
from application.messagebus import BusMessage
from application.ports.chat import ChatOutput
from application.ports.clock import Clock
from application.ports.model import ModelBackend, ModelStore
from application.ports.storage import SettingsStore
from application.ports.work import TrainJob, WorkQueue
from application.progress import ReportedJob
from application.publisher import EventPublisher
from application.starter import StarterKnowledge
from application.training_data import TrainingData
from domain.commands import ShowTrainingStatus, TrainModel
from domain.errors import InvalidArgument, MissingArgument
from domain.events import ModelTrained, TrainingFailed, TrainingStarted
from domain.ids import ChannelId, MessageId
from domain.text import Code, Text, say
from domain.training import Dataset, ModelVersion

log = structlog.get_logger("parrot.training")


class TrainModelHandler:
    def __init__(
        self,
        chat: ChatOutput,
        data: TrainingData,
        backends: Mapping[str, ModelBackend],
        default_backend: str,
        store: ModelStore,
        settings: SettingsStore,
        models: ActiveModels,
        jobs: JobRunner,
        work: WorkQueue,
        publish: EventPublisher,
        clock: Clock,
        progress_interval: float = 2.0,
        starter: StarterKnowledge | None = None,
        keep_starter: bool = False,
    ) -> None:
        self._starter = starter
        self._keep_starter = keep_starter
        self._chat = chat
        self._work = work
        self._data = data
        self._backends = backends
        self._default_backend = default_backend
        self._store = store
        self._settings = settings
        self._models = models
        self._jobs = jobs
        self._publish = publish
        self._clock = clock
        self._progress_interval = progress_interval

    async def __call__(self, command: TrainModel) -> Sequence[BusMessage]:
        message = command.message
        if command.backend is not None and not command.backend.strip():
            raise MissingArgument("train --backend NAME [data]")
        backend_name = command.backend or self._default_backend
        backend = self._backends.get(backend_name)
        if backend is None:
            known = ", ".join(f"`{name}`" for name in sorted(self._backends))
            raise InvalidArgument(say("There is no model backend ", Code(backend_name, 40), f". Available: {known}."))
        space = message.space
        self._jobs.ensure_free(space)  # refuse before downloading anything
        given = await self._data.given(space, command.inline_text, command.attachment)  # checked, then kept
        source = given if given is not None else await self._data.selected(space)
        if given is None:
            await self._data.check(source)
        dataset = await self._data.with_corrections(space, source)
        # `--with-starter`, else the space's `settings starter`, else `model.keep_starter`.
        kept_by_space = (await self._settings.load(space)).keep_starter
        keep_starter = kept_by_space if kept_by_space is not None else self._keep_starter
        if self._starter is not None and (command.with_starter or keep_starter):
            dataset = await self._starter.extend(dataset)

        kept = say(" The data is kept as ", Code(source.name), ".") if given is not None else Text()

        async def work(job: Job) -> None:
            trained = await self._train(job, backend_name, backend, dataset, message.channel_id, message.id, kept)
            if trained and given is not None:
                # What was just trained on is what a plain `!train` retrains on, with new corrections.
                await self._data.select(space, source.name)

        job = self._jobs.start(space, "train", self._clock.now(), work)
        return [TrainingStarted(space, job.id, message.channel_id)]

    async def _train(
        self,
        job: Job,
        backend_name: str,
        backend: ModelBackend,
        dataset: Dataset,
        channel_id: ChannelId,
        asked_by: MessageId,
        kept: Text | None = None,
    ) -> bool:
        space = job.space

        def on_progress(fraction: float, stage: str) -> None:
            # May be called from a worker thread: plain attribute writes only.
            job.fraction = max(0.0, min(1.0, fraction))
            job.stage = stage

        async def train() -> ModelVersion:
            job.stage = "training"
            # Fitted wherever the work queue runs it; the artifact comes back here, where user data lives.
            artifact = await self._work.run(TrainJob(dataset, backend_name), on_progress)
            job.stage, job.fraction = "publishing", 1.0
            model = await backend.load(artifact)
            # Published and activated in one step: another process training the same space at the same
            # time can never leave an older version active after this one is announced.
            version = await self._store.publish(
                space,
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
            self._models.put(space, version.number, model)
            return version

        reported = ReportedJob(self._chat, job, channel_id, asked_by, "Training", self._progress_interval)
        version = await reported.run(
            say(
                f"Training `{job.id}` started on {len(dataset.examples)} examples, "
                f"{len(dataset.intents)} intents ({backend.name}).",
                kept or Text(),
            ),
            train,
            failed_note=" The active model is unchanged.",
        )
        if version is None:
            await self._publish(TrainingFailed(space, job.id, channel_id, reported.failure or "unknown"))
            return False
        await reported.succeed(
            f"Training `{job.id}` done: model version {version.number} ({version.backend}), "
            f"{version.example_count} examples, {len(version.intents)} intents. It answers from now on."
        )
        await self._publish(ModelTrained(space, job.id, channel_id, version))
        return True


class ShowTrainingStatusHandler:
    def __init__(
        self,
        chat: ChatOutput,
        jobs: JobRunner,
        store: ModelStore,
        settings: SettingsStore,
        starter_enabled: bool = False,
    ) -> None:
        self._starter_enabled = starter_enabled
        self._chat = chat
        self._jobs = jobs
        self._store = store
        self._settings = settings

    async def __call__(self, command: ShowTrainingStatus) -> Sequence[BusMessage]:
        message = command.message
        job = self._jobs.current(message.space)
        if job is None:
            text = "No training has run since I started."
        elif job.running:
            text = f"`{job.id}` is running: {job.stage}, {job.fraction:.0%}."
        else:
            text = f"The last job, `{job.id}`, ended: {job.stage}."
        active = (await self._settings.load(message.space)).active_model
        if active is not None:
            text += f" Active model: version {active}."
        elif self._starter_enabled:
            # Untrained spaces answer from the starter (as `model` says), so "no model" would be wrong.
            text += " Active model: the starter (the basics, in English and Russian) until a training replaces it."
        else:
            text += " No model is active yet."
        await self._chat.send_text(message.channel_id, text, reply_to=message.id)
        return ()
