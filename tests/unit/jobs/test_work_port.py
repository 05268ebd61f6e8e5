"""Heavy work goes through the work port as data; a queue that is down costs heavy commands only."""

import asyncio
from pathlib import Path

from application.ports.work import SynthesiseJob, TestJob, TrainJob, TranscribeJob
from domain.messages import Attachment, Status
from support.app import AppHarness, build_app

FAQ = "hi there => Hello! Nice to see you.\nhello => Hello! Nice to see you.\nbye => Bye.\nciao => Bye."
DOWN = "I can't do that right now: my work queue is unreachable. Please try again in a minute."


async def test_hearing_speaking_training_and_testing_are_jobs_described_by_data(app: AppHarness) -> None:
    assert app.work is not None
    await app.discord.say(f"!train {FAQ}")
    await app.settle()
    clip = app.discord.attachment("voice-message.ogg", b"speech:hello", "audio/ogg", voice_message=True)
    await app.discord.say("", attachments=(clip,), voice_channel_id=55)
    await app.settle()
    await app.discord.say("!test hello => Hello! Nice to see you.\nciao => Bye.")
    await app.settle()
    train, hear, first, second, test = app.work.jobs
    assert isinstance(train, TrainJob) and train.backend == "embedded" and len(train.dataset.examples) == 4
    assert hear == TranscribeJob(b"speech:hello", "voice-message.ogg", 600.0, None)  # detected among the languages
    assert (first, second) == (SynthesiseJob("Hello!", "en-US"), SynthesiseJob("Nice to see you.", "en-US"))
    assert isinstance(test, TestJob) and test.artifact is not None and test.artifact.backend == "embedded"
    assert [e.text for e in test.dataset.examples] == ["hello", "ciao"]


async def test_with_the_work_queue_down_heavy_commands_say_so_and_quick_ones_answer(app: AppHarness) -> None:
    assert app.work is not None
    app.work.down = True
    clip = app.discord.attachment("voice-message.ogg", b"speech:hello", "audio/ogg", voice_message=True)
    voice = await app.discord.say("", attachments=(clip,))
    assert [sent.text for sent in app.discord.replies_to(voice)] == [DOWN]
    statuses = [s for m, s in app.discord.statuses if m == voice.id]
    assert statuses[0] == Status.WORKING and statuses[-1] == Status.FAILED and Status.DONE not in statuses
    hello = await app.discord.say("!hi")
    assert app.discord.replies_to(hello)[0].text.startswith("Hi ")
    train = await app.discord.say(f"!train {FAQ}")
    await app.settle()
    progress = app.discord.replies_to(train)[0].current_text
    assert progress == f"Training `train-1` failed: {DOWN} The active model is unchanged."
    app.work.down = False
    again = await app.discord.say("", attachments=(clip,))
    assert app.discord.replies_to(again)[0].text == "🎙️ I heard: hello"


async def test_a_quick_command_is_answered_while_a_voice_message_in_its_channel_is_heard(app: AppHarness) -> None:
    app.stt.delay = 5.0
    clip = app.discord.attachment("long.ogg", b"speech:a long story", "audio/ogg", voice_message=True)
    voice = asyncio.create_task(app.discord.say("", attachments=(clip,)))
    await asyncio.sleep(0.05)
    hello = await asyncio.wait_for(app.discord.say("!hi"), 1.0)
    assert app.discord.replies_to(hello)[0].text.startswith("Hi ")
    assert not voice.done()
    app.stt.delay = 0.0
    voice.cancel()


async def test_a_training_or_test_past_its_deadline_is_told_and_the_active_model_stays(tmp_path: Path) -> None:
    app = build_app(tmp_path, work={"train_seconds": 0.3, "test_seconds": 0.3})  # the in-process adapter
    first = await app.discord.say(f"!train {FAQ}")
    await app.settle()
    assert "done: model version 1" in app.discord.replies_to(first)[0].current_text
    app.backend.delay = 5.0  # a stalled fit
    late = await app.discord.say("!train")
    await app.settle()
    assert app.discord.replies_to(late)[0].current_text == (
        "Training `train-2` failed: Training took too long (over 0.3 s); please try again later."
        " The active model is unchanged."
    )
    test = await app.discord.say("!test")  # cross-validation fits too
    await app.settle()
    assert app.discord.replies_to(test)[0].current_text == (
        "Testing `test-3` failed: Testing took too long (over 0.3 s); please try again later."
    )
    status = await app.discord.say("!train status")
    assert app.discord.replies_to(status)[0].text.endswith("Active model: version 1.")
    hello = await app.discord.say("hello")
    assert app.discord.replies_to(hello)[0].text == "Hello! Nice to see you."


async def test_a_stalled_dataset_download_holds_neither_the_channel_nor_the_one_job_rule(app: AppHarness) -> None:
    stalled = asyncio.Event()
    fetch = app.discord.fetch

    async def slow_fetch(attachment: Attachment, max_bytes: int) -> bytes:
        await stalled.wait()  # the CDN does not answer yet
        return await fetch(attachment, max_bytes)

    app.discord.fetch = slow_fetch  # type: ignore[method-assign]
    dataset = app.discord.attachment("faq.txt", FAQ.encode(), "text/plain")
    train = await asyncio.wait_for(app.discord.say("!train", attachments=(dataset,)), 1.0)
    hello = await asyncio.wait_for(app.discord.say("!hi"), 1.0)
    assert app.discord.replies_to(hello)[0].text.startswith("Hi ")
    status = await app.discord.say("!train status")
    assert app.discord.replies_to(status)[0].text.startswith("`train-1` is running: downloading the data, 0%.")
    again = await app.discord.say(f"!train {FAQ}")
    assert app.discord.replies_to(again)[0].text.startswith("A train job (`train-1`) is already running here")
    test = await app.discord.say("!test", attachments=(dataset,))
    assert app.discord.replies_to(test)[0].text.startswith("A train job (`train-1`) is already running here")
    assert app.discord.replies_to(train) == []
    stalled.set()
    await app.settle()
    assert app.discord.replies_to(train)[0].current_text.startswith("Training `train-1` done: model version 1")


async def test_a_downloaded_dataset_that_is_refused_is_told_in_its_own_words(app: AppHarness) -> None:
    bad = app.discord.attachment("bad.txt", b"hello => hi\nthis line has no arrow", "text/plain")
    train = await app.discord.say("!train", attachments=(bad,))
    await app.settle()
    (refusal,) = app.discord.replies_to(train)
    assert refusal.text.startswith("`bad.txt` was not used for training:") and refusal.edits == []
    assert (train.id, Status.FAILED) in app.discord.statuses and app.backend.trained == []
    good = app.discord.attachment("test.txt", b"hello => Hello!\nbye => Bye.", "text/plain")
    test = await app.discord.say("!test", attachments=(good,))
    await app.settle()
    assert app.discord.replies_to(test)[0].text == "There is no trained model to test yet: `!train` one first."
    status = await app.discord.say("!train status")
    assert app.discord.replies_to(status)[0].text.startswith("The last job, `test-2`, ended: failed.")


async def test_a_job_cancelled_on_shutdown_while_downloading_tells_its_user(app: AppHarness) -> None:
    async def never(attachment: Attachment, max_bytes: int) -> bytes:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    app.discord.fetch = never  # type: ignore[method-assign]
    dataset = app.discord.attachment("faq.txt", FAQ.encode(), "text/plain")
    train = await app.discord.say("!train", attachments=(dataset,))
    await asyncio.sleep(0.05)
    await app.container.learning.runner().shutdown(
        0.0
    )  # what `stop_jobs` does on SIGTERM, before the driver disconnects
    (told,) = app.discord.replies_to(train)
    assert told.text == "Training `train-1` failed: it was cancelled (the bot is shutting down)."
    assert (train.id, Status.FAILED) in app.discord.statuses
