"""A spoken turn is heard through the work port: its queue, its deadlines, and a sensible word when hearing fails."""

import asyncio
from pathlib import Path

import pytest

from application.ports.storage import SpaceSettings
from application.ports.work import TranscribeJob
from domain import commands as c
from domain.ids import ChannelId, GuildId
from domain.spaces import Space
from domain.speech import AudioClip
from support.app import AppHarness, build_app
from support.scripted_discord import member

VOICE = 55


def spoken_turn(app: AppHarness, said: str, user_id: int = 7, name: str = "alice") -> c.HearUtterance:
    message = app.discord.message("", author=member(user_id=user_id, name=name, admin=False), voice_channel_id=VOICE)
    return c.HearUtterance(message, audio=AudioClip(said.encode(), 16_000), voice_channel_id=ChannelId(VOICE))


def transcripts(app: AppHarness) -> list[str]:
    return [sent.text for sent in app.discord.sent if sent.text.startswith("🎙️")]


async def test_a_turn_is_one_transcribe_job_in_the_spaces_languages(tmp_path: Path) -> None:
    app = build_app(tmp_path, fake_work=True)
    assert app.work is not None
    await app.stores["space_settings"].save(Space(guild_id=GuildId(1)), SpaceSettings(languages=("ru", "en")))
    await app.container.bus().handle(spoken_turn(app, "hello"))
    (job,) = app.work.jobs
    assert isinstance(job, TranscribeJob)
    # PCM wrapped as WAV: what the codec reads, here or on a worker.
    assert job.audio.startswith(b"RIFF") and job.filename == "turn.wav"
    assert job.language is None and job.among == ("ru", "en")
    assert transcripts(app) == ["🎙️ Alice: hello"]


async def test_while_the_work_queue_is_down_the_channel_is_told_once(tmp_path: Path) -> None:
    app = build_app(tmp_path, fake_work=True)
    assert app.work is not None
    app.work.down = True
    for _ in range(3):
        await app.container.bus().handle(spoken_turn(app, "hello"))
    told = [sent for sent in app.discord.sent if "work queue is unreachable" in sent.text]
    assert len(told) == 1 and told[0].channel_id == 10 and told[0].reply_to is None
    assert transcripts(app) == []
    app.work.down = False
    await app.container.bus().handle(spoken_turn(app, "hello"))
    assert transcripts(app) == ["🎙️ Alice: hello"]
    app.work.down = True  # heard in between: a new failure is told again
    await app.container.bus().handle(spoken_turn(app, "hello"))
    assert len([sent for sent in app.discord.sent if "work queue is unreachable" in sent.text]) == 2


async def test_a_full_queue_answers_busy_for_the_turn_it_cannot_take(tmp_path: Path) -> None:
    app = build_app(tmp_path, limits={"heavy_jobs_running": 1, "heavy_jobs_waiting": 0})
    app.stt.delay = 0.3
    bus = app.container.bus()
    await asyncio.gather(
        bus.handle(spoken_turn(app, "hello", user_id=7, name="alice")),
        bus.handle(spoken_turn(app, "bye", user_id=8, name="bob")),
    )
    busy = [sent.text for sent in app.discord.sent if "busy" in sent.text]
    assert busy == ["I am busy with other requests right now; please try again shortly."]
    assert len(transcripts(app)) == 1  # the other turn was heard
    await app.settle()


async def test_a_turn_past_the_hearing_deadline_is_told_and_the_next_is_heard(tmp_path: Path) -> None:
    app = build_app(tmp_path, limits={"hearing_seconds": 0.05})
    app.stt.delay = 0.5
    await app.container.bus().handle(spoken_turn(app, "hello"))
    assert [sent.text for sent in app.discord.sent] == [
        "Hearing that audio took too long (over 0.05 s); please try again later."
    ]
    app.stt.delay = 0.0
    await app.container.bus().handle(spoken_turn(app, "hello"))
    assert transcripts(app) == ["🎙️ Alice: hello"]


@pytest.mark.parametrize("said", ["hello " * 4, ""])
async def test_audio_the_codec_refuses_is_logged_not_told(tmp_path: Path, said: str) -> None:
    app = build_app(tmp_path, limits={"audio_seconds": 0.0001})  # too long (or empty): refused by the codec
    await app.container.bus().handle(spoken_turn(app, said))
    assert app.discord.sent == [] and app.stt.languages == []
