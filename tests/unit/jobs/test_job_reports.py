"""A long job's life comes back as domain events; subscribers turn them into the progress message and outcome."""

from collections.abc import Sequence

from application.messagebus import BusMessage
from domain.events import Event, JobFailed, JobProgressed, JobStarted, JobSucceeded
from domain.ids import ChannelId, MessageId
from domain.messages import Status
from domain.spaces import Space
from domain.text import say
from support.app import AppHarness

FAQ = "hi there => Hello!\nhello => Hello!\nbye => Bye.\nciao => Bye."
GUILD = Space(guild_id=1)  # type: ignore[arg-type]


def record(app: AppHarness) -> list[Event]:
    seen: list[Event] = []

    async def recorder(event: Event) -> Sequence[BusMessage]:
        seen.append(event)
        return ()

    for kind in (JobStarted, JobProgressed, JobSucceeded, JobFailed):
        app.container.bus().subscribe(kind, recorder)
    return seen


async def test_a_training_publishes_started_progressed_and_succeeded(app: AppHarness) -> None:
    seen = record(app)
    app.backend.delay = 2.3  # past one progress interval (2 s)
    message = await app.discord.say(f"!train {FAQ}")
    await app.settle()
    started, progressed, succeeded = seen
    assert isinstance(started, JobStarted) and (started.job_id, started.kind) == ("train-1", "train")
    assert (started.channel_id, started.asked_by) == (message.channel_id, message.id)
    assert isinstance(progressed, JobProgressed) and (progressed.fraction, progressed.stage) == (0.5, "fitting")
    assert isinstance(succeeded, JobSucceeded) and str(succeeded.text).startswith("Training `train-1` done")
    (shown,) = app.discord.replies_to(message)
    assert shown.edits[0] == "Training `train-1`: █████░░░░░ 50% (fitting)"
    assert shown.current_text.startswith("Training `train-1` done: model version 1")


async def test_a_failed_training_publishes_its_reason_and_the_subscriber_words_it(app: AppHarness) -> None:
    seen = record(app)
    app.backend.fail_with = RuntimeError("boom")
    message = await app.discord.say(f"!train {FAQ}")
    await app.settle()
    failed = seen[-1]
    assert isinstance(failed, JobFailed)
    assert (str(failed.reason), failed.note) == ("an internal error (logged).", " The active model is unchanged.")
    assert app.discord.replies_to(message)[0].current_text == (
        "Training `train-1` failed: an internal error (logged). The active model is unchanged."
    )
    assert (message.id, Status.FAILED) in app.discord.statuses


async def test_an_outcome_whose_progress_message_was_never_posted_comes_as_a_new_reply(app: AppHarness) -> None:
    publish = app.container.jobs.publisher()
    event = JobSucceeded(GUILD, "test-9", "test", ChannelId(10), MessageId(77), say("Testing `test-9` done."))
    await publish(event)
    (sent,) = [s for s in app.discord.sent if s.reply_to == MessageId(77)]
    assert sent.text == "Testing `test-9` done."
    assert (MessageId(77), Status.DONE) in app.discord.statuses
