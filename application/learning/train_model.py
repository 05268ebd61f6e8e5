from collections.abc import Mapping, Sequence

from application.jobs.runner import DataSource, JobRunner
from application.learning.training_job import TrainingInput, TrainRequest
from application.messagebus import BusMessage
from application.ports.chat import ChatOutput
from application.ports.model import ModelBackend, ModelStore
from application.ports.storage import SettingsStore
from domain.commands import ShowTrainingStatus, TrainModel
from domain.errors import InvalidArgument, MissingArgument
from domain.events import TrainingStarted
from domain.text import Code, say


class TrainModelHandler:
    """Checks the command, then asks for a training job described by data; the job (RunTraining) does the rest."""

    def __init__(
        self, read: TrainingInput, backends: Mapping[str, ModelBackend], default_backend: str, jobs: JobRunner
    ) -> None:
        self._read = read
        self._backends = backends
        self._default_backend = default_backend
        self._jobs = jobs

    async def __call__(self, command: TrainModel) -> Sequence[BusMessage]:
        message = command.message
        if command.backend is not None and not command.backend.strip():
            raise MissingArgument("train --backend NAME [data]")
        backend = command.backend or self._default_backend
        if backend not in self._backends:
            known = ", ".join(f"`{name}`" for name in sorted(self._backends))
            raise InvalidArgument(say("There is no model backend ", Code(backend, 40), f". Available: {known}."))
        source = DataSource(command.inline_text, command.attachment, command.with_starter)
        ready = await self._jobs.read_at_once(message.space, source, self._read)
        # Registered before any download, so `train status` and one job per space see it at once.
        job = self._jobs.submit(TrainRequest(message.space, message.channel_id, message.id, backend, source, ready))
        return [TrainingStarted(message.space, job.id, message.channel_id)]


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
