"""The whole loop with the real recogniser and voices: a member asks aloud, Parrot answers aloud, and the
answer it spoke, decoded by the fake Discord, is recognised again."""

import asyncio
from pathlib import Path

import numpy as np
import pytest

from cli import settle, shutdown
from domain.speech import AudioClip
from support import fakes
from support.discord_harness import build_app_bot, started
from support.fake_discord import FakeDiscord
from support.fake_discord.audio import OPUS_SILENCE, decode_opus
from tests.integration.discord.listening.conftest import Listening, clip, options

FAQ = (
    "what's the weather like in new york => It is sunny in New York today.\n"
    "weather in new york => It is sunny in New York today.\n"
    "set a timer => I can't set timers yet.\ntimer for an hour => I can't set timers yet."
)
RUSSIAN_FAQ = (
    "какая погода в нью-йорке => В Нью-Йорке солнечно.\nпогода в нью-йорке => В Нью-Йорке солнечно.\n"
    "включи лампу => Я не умею включать лампы.\nвключи ночную лампу => Я не умею включать лампы."
)


def as_clip(frames: list[bytes]) -> AudioClip:
    """What the fake heard the bot say, as 16 kHz PCM for the recogniser."""
    samples = decode_opus(frames)[::3]  # 48 kHz to 16 kHz; the voice holds nothing above 8 kHz worth keeping
    return AudioClip((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes(), 16_000)


async def ask_aloud(app: Listening, name: str, faq: str) -> tuple[str, str, list[bytes]]:
    world = app.fake.world
    trained = await app.fake.send_message(world.admin, f"!train {faq}")
    await app.fake.reply_to(trained)
    await settle(app.container)
    await app.turn_on()
    if app.fake.voice.dave:
        await asyncio.wait_for(app.fake.voice.dave_ready.wait(), 5)
    mark, frames_before = len(app.fake.calls), len(app.fake.voice.frames)
    await app.fake.voice.speak(app.mouth(world.admin, 5555), clip(name))
    transcript = await app.posted(lambda text: text.startswith("🎙️"), since=mark, timeout=60)
    replies = [call for call in app.fake.calls[mark:] if call.reply_to is not None]
    async with asyncio.timeout(60):
        while not replies:
            await asyncio.sleep(0.05)
            replies = [call for call in app.fake.calls[mark:] if call.reply_to is not None]
    spoken = await app.fake.voice.wait_for_silence(frames_before, timeout=60)
    voiced = [frame.opus for frame in spoken if frame.opus != OPUS_SILENCE]
    return transcript.content, replies[0].content, voiced


@pytest.mark.slow
@pytest.mark.parametrize("dave", [False, True])
async def test_a_question_asked_aloud_is_answered_aloud(tmp_path: Path, dave: bool) -> None:
    async with FakeDiscord(dave=dave) as fake:
        bot, container = build_app_bot(fake, tmp_path, real_speech=True, listening=options())
        fake.voice.dave_member_id = fake.world.admin.id
        async with started(bot, fake):
            app = Listening(fake, bot, container, fakes.ScriptedSpeechToText([]))  # unused: Whisper hears
            transcript, answer, voiced = await ask_aloud(app, "en_s2p_weather_new_york.wav", FAQ)
            assert "weather" in transcript.lower() and "new york" in transcript.lower()
            assert answer == "It is sunny in New York today."
            heard = await container.speech.stt().transcribe(as_clip(voiced), "en-US")
            assert "sunny" in heard.text.lower() and "new york" in heard.text.lower()
            await settle(container)
            await shutdown(container)


@pytest.mark.slow
async def test_a_russian_question_is_heard_in_russian(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        languages: dict[str, object] = {"guild_languages": {fake.world.guild_id: "ru-RU"}}
        bot, container = build_app_bot(fake, tmp_path, real_speech=True, listening=options(), speech_settings=languages)
        async with started(bot, fake):
            app = Listening(fake, bot, container, fakes.ScriptedSpeechToText([]))  # unused: Whisper hears
            transcript, answer, voiced = await ask_aloud(app, "ru_s2p_weather_new_york.wav", RUSSIAN_FAQ)
            assert "погода" in transcript.lower()
            assert answer == "В Нью-Йорке солнечно."
            assert len(voiced) > 25  # spoken (eSpeak NG's Russian does not survive a round trip well enough to test)
            await settle(container)
            await shutdown(container)
