"""Training and testing are jobs asked for with data: a handler submits a request and returns at once; the use case
registered for the request's type runs it in the background and tells its life as domain events."""

import asyncio
import pickle
from dataclasses import FrozenInstanceError, dataclass, field

import pytest

from application.jobs.executor import JobExecutor
from application.jobs.publisher import EventPublisher
from application.jobs.runner import DataSource, JobRequest, JobRunner
from application.learning.active_models import ActiveModels
from application.learning.evaluation_job import RunTest, TestInput, TestRequest
from application.learning.train_model import TrainModelHandler
from application.learning.training_data import TrainingData
from application.learning.training_job import RunTraining, TrainingInput, TrainingSet, TrainRequest
from domain.commands import TrainModel
from domain.errors import JobAlreadyRunning
from domain.events import (
    Event,
    JobFailed,
    JobProgressed,
    JobRefused,
    JobStarted,
    JobSucceeded,
    ModelTested,
    ModelTrained,
    TrainingFailed,
    TrainingStarted,
)
from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.messages import Author, Message
from domain.spaces import Space
from support import fakes
from support.scripted_discord import ScriptedDiscord

SPACE = Space(guild_id=GuildId(1))
OTHER = Space(guild_id=GuildId(2))
CHANNEL = ChannelId(10)
ASKED_BY = MessageId(77)
FAQ = "hi there => Hello!\nhello => Hello!\nbye => Bye.\nciao => Bye."
JOB_EVENTS = (JobStarted, JobProgressed, JobSucceeded, JobFailed, JobRefused)


def command_message(space: Space = SPACE) -> Message:
    return Message(ASKED_BY, CHANNEL, Author(UserId(5), "ada"), "!train", guild_id=space.guild_id)


@dataclass
class HeldUseCase:
    """A job use case that records its requests and runs until released."""

    asked: list[tuple[str, JobRequest]] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, job_id: str, request: JobRequest) -> None:
        self.asked.append((job_id, request))
        await self.release.wait()


class Parts:
    """The train and test use cases over in-memory fakes, their events recorded and followed by the runner."""

    def __init__(self, interval: float = 2.0) -> None:
        self.discord = ScriptedDiscord()
        self.settings = fakes.InMemorySettings()
        self.store = fakes.InMemoryModelStore(settings=self.settings)
        self.backend = fakes.FakeModelBackend(name="embedded")
        backends = {"embedded": self.backend}
        codec, stt, tts = fakes.FakeCodec(), fakes.FakeSpeechToText(), fakes.FakeTextToSpeech()
        self.work = fakes.FakeWorkQueue(JobExecutor(codec, stt, tts, backends))
        self.data = TrainingData(
            self.discord,
            fakes.LineParser(),
            fakes.InMemoryDatasets(),
            self.settings,
            fakes.InMemoryFeedbackLog(),
            max_bytes=100_000,
        )
        self.models = ActiveModels(backends, self.store, self.settings)
        self.read = TrainingInput(self.data, self.settings)
        publisher = EventPublisher()
        publisher.connect(self.publish)
        clock = fakes.FixedClock()
        self.training = RunTraining(
            self.read, self.data, backends, self.store, self.models, self.work, publisher, clock, interval
        )
        self.testing = RunTest(
            TestInput(self.data, self.models, self.store, "embedded"),
            self.store,
            fakes.FakeRenderer(),
            self.work,
            publisher,
            interval,
        )
        self.runner = JobRunner({TrainRequest: self.training, TestRequest: self.testing}, clock)
        self.events: list[Event] = []

    async def publish(self, event: Event) -> None:
        self.events.append(event)
        if isinstance(event, JOB_EVENTS):
            await self.runner.on_event(event)

    async def train(self, text: str = FAQ) -> TrainRequest:
        """A training request whose data is read already, as the command reads typed lines."""
        ready = await self.read(SPACE, DataSource(text))
        return TrainRequest(SPACE, CHANNEL, ASKED_BY, "embedded", DataSource(text), ready)

    async def until(self, kind: type[Event]) -> None:
        """Waits (a few seconds at most) until an event of `kind` was published."""
        async with asyncio.timeout(5.0):
            while not any(isinstance(event, kind) for event in self.events):
                await asyncio.sleep(0.01)

    def job_events(self) -> list[Event]:
        return [event for event in self.events if isinstance(event, JOB_EVENTS)]


async def test_the_train_command_returns_at_once_with_its_job_registered_as_data() -> None:
    parts = Parts()
    held = HeldUseCase()
    runner = JobRunner({TrainRequest: held}, fakes.FixedClock())
    handler = TrainModelHandler(parts.read, {"embedded": parts.backend}, "embedded", runner)
    produced = await asyncio.wait_for(handler(TrainModel(command_message(), inline_text=FAQ)), 1.0)
    assert produced == [TrainingStarted(SPACE, "train-1", CHANNEL)]
    job = runner.current(SPACE)
    assert job is not None and job.running and (job.id, job.kind, job.stage) == ("train-1", "train", "queued")
    assert parts.backend.trained == []  # nothing fitted yet: that is the job's
    await asyncio.sleep(0)  # the use case starts in the background
    ((job_id, request),) = held.asked
    assert job_id == "train-1" and isinstance(request, TrainRequest)
    assert (request.space, request.channel_id, request.asked_by, request.backend) == (
        SPACE,
        CHANNEL,
        ASKED_BY,
        "embedded",
    )
    assert request.source == DataSource(FAQ) and isinstance(request.ready, TrainingSet)
    assert request.ready.kept_as == "inline.txt" and len(request.ready.dataset.examples) == 4
    assert pickle.loads(pickle.dumps(request)) == request  # plain data: no closure could be pickled
    with pytest.raises(FrozenInstanceError):
        request.backend = "tfidf"  # type: ignore[misc]
    held.release.set()
    await runner.wait_idle()
    assert not job.running


async def test_an_attached_dataset_is_left_to_the_job_and_never_fetched_by_the_command() -> None:
    parts = Parts()
    held = HeldUseCase()
    runner = JobRunner({TrainRequest: held}, fakes.FixedClock())
    handler = TrainModelHandler(parts.read, {"embedded": parts.backend}, "embedded", runner)
    dataset = parts.discord.attachment("faq.txt", FAQ.encode(), "text/plain")
    await asyncio.wait_for(handler(TrainModel(command_message(), attachment=dataset)), 1.0)
    await asyncio.sleep(0)
    ((_, request),) = held.asked
    assert isinstance(request, TrainRequest) and request.source.attachment == dataset and request.ready is None
    assert parts.discord.fetched == []
    held.release.set()
    await runner.wait_idle()


async def test_a_training_publishes_started_progressed_and_succeeded_and_the_runner_follows() -> None:
    parts = Parts(interval=0.05)
    parts.backend.delay = 0.3  # past a few progress intervals
    job = parts.runner.submit(await parts.train())
    await parts.until(JobProgressed)
    assert (job.stage, job.fraction) == ("fitting", 0.5)  # what `train status` shows, from the event
    await parts.runner.wait_idle()
    started, progressed, succeeded = parts.job_events()
    assert isinstance(started, JobStarted) and (started.job_id, started.kind) == ("train-1", "train")
    assert (started.channel_id, started.asked_by) == (CHANNEL, ASKED_BY)
    assert (
        str(started.text)
        == "Training `train-1` started on 4 examples, 2 intents (embedded). The data is kept as `inline.txt`."
    )
    assert isinstance(progressed, JobProgressed) and (progressed.fraction, progressed.stage) == (0.5, "fitting")
    assert isinstance(succeeded, JobSucceeded) and str(succeeded.text).startswith("Training `train-1` done")
    (trained,) = [event for event in parts.events if isinstance(event, ModelTrained)]
    assert trained.version.number == 1 and (await parts.settings.load(SPACE)).active_model == 1
    assert (await parts.settings.load(SPACE)).active_dataset == "inline.txt"
    assert (job.stage, job.fraction, job.running) == ("done", 1.0, False)


async def test_a_failed_training_publishes_its_reason_and_leaves_the_active_model_unchanged() -> None:
    parts = Parts()
    parts.runner.submit(await parts.train())
    await parts.runner.wait_idle()
    active = await parts.models.get(SPACE)
    assert active is not None and active[0] == 1
    parts.events.clear()
    parts.backend.fail_with = RuntimeError("boom")
    job = parts.runner.submit(await parts.train("when => Now.\nwhen now => Now.\nwhere => Here.\nwhere is => Here."))
    await parts.runner.wait_idle()
    started, failed = parts.job_events()
    assert isinstance(started, JobStarted) and isinstance(failed, JobFailed)
    assert (failed.job_id, str(failed.reason), failed.note) == (
        "train-2",
        "an internal error (logged).",
        " The active model is unchanged.",
    )
    assert [event for event in parts.events if isinstance(event, TrainingFailed)] == [
        TrainingFailed(SPACE, "train-2", CHANNEL, "an internal error (logged).")
    ]
    assert (job.stage, job.running) == ("failed", False)
    assert (await parts.settings.load(SPACE)).active_model == 1
    assert [version.number for version in await parts.store.list_versions(SPACE)] == [1]
    still = await parts.models.get(SPACE)
    assert still is not None and still[0] == 1 and (await still[1].predict("hello")).answer == "Hello!"


async def test_one_job_per_space_until_it_ends() -> None:
    held = HeldUseCase()
    runner = JobRunner({TrainRequest: held, TestRequest: held}, fakes.FixedClock())
    first = runner.submit(TrainRequest(SPACE, CHANNEL, ASKED_BY, "embedded", DataSource()))
    with pytest.raises(JobAlreadyRunning) as refused:
        runner.submit(TestRequest(SPACE, CHANNEL, MessageId(78), DataSource()))
    assert str(refused.value.text) == (
        "A train job (`train-1`) is already running here: queued, 0%. Wait for it to finish."
    )
    elsewhere = runner.submit(TestRequest(OTHER, CHANNEL, MessageId(79), DataSource()))
    assert (elsewhere.id, elsewhere.kind) == ("test-2", "test")
    assert runner.current(SPACE) is first
    held.release.set()
    await runner.wait_idle()
    again = runner.submit(TestRequest(SPACE, CHANNEL, MessageId(80), DataSource()))
    assert again.id == "test-3" and runner.current(SPACE) is again
    await runner.wait_idle()


async def test_a_refused_attachment_is_told_as_a_refusal_and_ends_the_job() -> None:
    parts = Parts()
    bad = parts.discord.attachment("bad.txt", b"hello => hi\nthis line has no arrow", "text/plain")
    request = TrainRequest(SPACE, CHANNEL, ASKED_BY, "embedded", DataSource(attachment=bad))
    job = parts.runner.submit(request)
    await parts.runner.wait_idle()
    downloading, refused = parts.job_events()
    assert isinstance(downloading, JobProgressed) and downloading.stage == "downloading the data"
    assert isinstance(refused, JobRefused) and str(refused.reason).startswith("`bad.txt` was not used for training:")
    assert job.stage == "failed" and parts.backend.trained == []


async def test_shutdown_cancels_a_running_job_and_tells_its_user() -> None:
    parts = Parts()
    parts.backend.delay = 30.0  # a fit that would outlast the shutdown
    job = parts.runner.submit(await parts.train())
    await parts.until(JobStarted)
    await parts.runner.shutdown(0.0)
    failed = parts.job_events()[-1]
    assert isinstance(failed, JobFailed)
    assert (str(failed.reason), failed.note) == (
        "it was cancelled (the bot is shutting down).",
        " The active model is unchanged.",
    )
    assert (job.stage, job.running) == ("failed", False) and (await parts.settings.load(SPACE)).active_model is None


async def test_a_test_job_publishes_its_report_with_the_confusion_picture() -> None:
    parts = Parts()
    parts.runner.submit(await parts.train())
    await parts.runner.wait_idle()
    parts.events.clear()
    ready = await TestInput(parts.data, parts.models, parts.store, "embedded")(SPACE, DataSource("hello => Hello!"))
    parts.runner.submit(TestRequest(SPACE, CHANNEL, ASKED_BY, DataSource("hello => Hello!"), ready))
    await parts.runner.wait_idle()
    started, succeeded = parts.job_events()
    assert isinstance(started, JobStarted) and str(started.text) == "Testing `test-2` started."
    assert isinstance(succeeded, JobSucceeded) and str(succeeded.text) == "Testing `test-2` done (model version 1)."
    assert succeeded.file is not None and succeeded.file.filename == "confusion.png"
    (tested,) = [event for event in parts.events if isinstance(event, ModelTested)]
    assert tested.version == 1 and [number for _, number, _, _ in parts.store.reports] == [1]
