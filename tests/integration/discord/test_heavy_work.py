"""Heavy work never holds its channel, through the real discord.py client and the socket-level fake Discord."""

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cli import settle, shutdown
from support import fakes
from support.discord_harness import build_app_bot, started
from support.fake_discord import SEND_MESSAGE, FakeDiscord

HEARD = "🎙️ I heard: a long story"


@pytest.fixture
async def slow_stt(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[fakes.FakeSpeechToText]:
    stt = fakes.FakeSpeechToText()
    bot, container = build_app_bot(fake, tmp_path, stt=stt, download_seconds=0.5)
    async with started(bot, fake):
        yield stt
        stt.delay = 0.0
        await settle(container)
        await shutdown(container)


async def send_voice(fake: FakeDiscord) -> dict[str, object]:
    note = fake.add_attachment("voice-message.ogg", b"speech:a long story", "audio/ogg", voice=True)
    return await fake.send_message(fake.world.alice, "", attachments=[note], voice_message=True)


async def test_hi_is_answered_at_once_while_a_voice_message_in_the_channel_is_heard(
    fake: FakeDiscord, slow_stt: fakes.FakeSpeechToText
) -> None:
    slow_stt.delay = 3.0
    voice = await send_voice(fake)
    await asyncio.sleep(0.2)  # the voice message is being heard now
    started = time.monotonic()
    hello = await fake.send_message(fake.world.alice, "!hi")
    reply = await fake.reply_to(hello, timeout=2.0)
    assert reply.content.startswith("Hi Alice")
    assert time.monotonic() - started < 2.0
    assert [c for c in fake.calls_to(SEND_MESSAGE) if c.content == HEARD] == []
    transcript = await fake.reply_to(voice, timeout=10)
    assert transcript.content == HEARD  # quoting the message it answers, after the quick reply


async def test_a_stalled_download_is_tried_once_more_from_a_fresh_url(
    fake: FakeDiscord, slow_stt: fakes.FakeSpeechToText
) -> None:
    fake.stalled_downloads = 1
    voice = await send_voice(fake)
    assert (await fake.reply_to(voice, timeout=10)).content == HEARD
    assert len(fake.downloads) == 2
    assert any(c.route == "GET /channels/{channel_id}/messages/{message_id}" for c in fake.calls)


async def test_a_download_that_stalls_twice_gets_a_clear_answer_and_holds_nothing(
    fake: FakeDiscord, slow_stt: fakes.FakeSpeechToText
) -> None:
    fake.stalled_downloads = 2
    voice = await send_voice(fake)
    hello = await fake.send_message(fake.world.alice, "!hi")
    assert (await fake.reply_to(hello, timeout=1.0)).content.startswith("Hi Alice")
    answer = await fake.reply_to(voice, timeout=10)
    assert answer.content == "I couldn't download that attachment; please try again in a moment."
