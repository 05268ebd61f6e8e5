"""Heavy work goes through the work port as data; a queue that is down costs heavy commands only."""

import asyncio

from application.ports.work import SynthesiseJob, TestJob, TrainJob, TranscribeJob
from domain.messages import Status
from support.app import AppHarness

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
