"""The bot on the socket-level fake Discord, its heavy work done by real `parrot worker` processes over Redis.

Real speech clips and real backends (whisper in the workers, tf-idf for the model): what a user would see.
"""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from domain.ids import GuildId
from domain.spaces import Space
from support.fake_discord import EDIT_MESSAGE, SEND_MESSAGE, FakeDiscord
from support.fake_discord.server import Call
from support.redis_server import RedisServer
from support.shared_data import shared_data
from support.wer import word_error_rate
from support.work_harness import redis_app_bot, start_worker, wait_for_lease, workers

pytestmark = pytest.mark.slow

HEARD = "🎙️ I heard: "
FAQ = "\n".join(
    f"{question} => {answer}"
    for question, answer in [
        ("hello", "Hello!"),
        ("hi there", "Hello!"),
        ("good morning", "Hello!"),
        ("bye", "Bye!"),
        ("see you later", "Bye!"),
        ("goodbye", "Bye!"),
        ("what time is it", "It is noon."),
        ("tell me the time", "It is noon."),
    ]
)
MODEL = {"backend": "tfidf"}


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


def clip(name: str) -> bytes:
    return shared_data("speech", name).read_bytes()


async def send_voice(fake: FakeDiscord, name: str, channel_id: int | None = None) -> dict[str, object]:
    note = fake.add_attachment("voice-message.ogg", clip(name), "audio/ogg", channel_id=channel_id, voice=True)
    return await fake.send_message(fake.world.alice, "", channel_id=channel_id, attachments=[note], voice_message=True)


def transcripts(fake: FakeDiscord, message: dict[str, object]) -> list[Call]:
    return [
        call
        for call in fake.calls_to(SEND_MESSAGE)
        if call.reply_to == int(str(message["id"])) and call.content.startswith(HEARD)
    ]


async def heard(fake: FakeDiscord, message: dict[str, object], timeout: float = 120.0) -> str:
    async with asyncio.timeout(timeout):
        while not transcripts(fake, message):
            await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)  # a second transcript, if any, would come now
    found = transcripts(fake, message)
    assert len(found) == 1, [call.content for call in found]
    return found[0].content.removeprefix(HEARD).lower()


async def test_two_workers_hear_voice_messages_each_answered_once(
    fake: FakeDiscord, redis: RedisServer, tmp_path: Path
) -> None:
    async with (
        redis_app_bot(fake, tmp_path / "bot", redis.url, model=MODEL),
        workers(redis.url, tmp_path / "workers", 2, PARROT_MODEL_BACKEND="tfidf") as pool,
    ):
        messages = [await send_voice(fake, name) for name in ("en_jfk.ogg", "en_one_two_three.wav") * 2]
        texts = [await heard(fake, message) for message in messages]
        logs = [worker.log() for worker in pool]
    assert all("fellow americans" in text for text in texts[0::2])
    assert all(word_error_rate([("one two three", text)]) == 0 for text in texts[1::2]), texts
    assert all('"job done"' in log for log in logs), "both workers took jobs"


async def test_a_voice_message_sent_while_no_worker_runs_is_answered_once_one_starts(
    fake: FakeDiscord, redis: RedisServer, tmp_path: Path
) -> None:
    async with redis_app_bot(fake, tmp_path / "bot", redis.url, model=MODEL):
        message = await send_voice(fake, "en_jfk.ogg")
        await asyncio.sleep(2.0)
        assert transcripts(fake, message) == []
        hello = await fake.send_message(fake.world.alice, "!hi")
        assert (await fake.reply_to(hello)).content.startswith("Hi ")
        async with workers(redis.url, tmp_path / "workers", 1):
            assert "fellow americans" in await heard(fake, message)


async def test_a_worker_killed_mid_transcription_still_gives_exactly_one_transcript(
    fake: FakeDiscord, redis: RedisServer, tmp_path: Path
) -> None:
    async with redis_app_bot(fake, tmp_path / "bot", redis.url, model=MODEL):
        first = await start_worker(redis.url, tmp_path / "workers", "first")
        try:
            message = await send_voice(fake, "en_jfk.ogg")
            await wait_for_lease(redis.url)
            first.kill()
            await first.process.wait()
            assert transcripts(fake, message) == []
            second = await start_worker(redis.url, tmp_path / "workers", "second")
            try:
                assert "fellow americans" in await heard(fake, message)
            finally:
                await second.stop()
        finally:
            await first.stop()
    assert '"job done"' not in first.log() and '"job done"' in second.log()


async def test_a_worker_killed_mid_training_leaves_the_model_alone_and_another_finishes_it(
    fake: FakeDiscord, redis: RedisServer, tmp_path: Path
) -> None:
    async with redis_app_bot(fake, tmp_path / "bot", redis.url, model=MODEL) as (_, container):
        first = await start_worker(redis.url, tmp_path / "workers", "first", PARROT_MODEL_BACKEND="tfidf")
        second = None
        try:
            train = await fake.send_message(fake.world.admin, f"!train {FAQ}")
            progress = await fake.reply_to(train, timeout=30)
            assert progress.content.startswith("Training `train-1` started")
            await wait_for_lease(redis.url)
            first.kill()
            await first.process.wait()
            space_settings = container.storage.space_settings()
            versions = await container.storage.model_store().list_versions(fake_space(fake))
            assert versions == [] and (await space_settings.load(fake_space(fake))).active_model is None
            second = await start_worker(redis.url, tmp_path / "workers", "second", PARROT_MODEL_BACKEND="tfidf")
            async with asyncio.timeout(120):
                while True:
                    edits = [call.content for call in fake.calls_to(EDIT_MESSAGE)]
                    if any(text.startswith("Training `train-1` done: model version 1") for text in edits):
                        break
                    await asyncio.sleep(0.1)
            versions = await container.storage.model_store().list_versions(fake_space(fake))
            assert [v.number for v in versions] == [1]
            question = await fake.send_message(fake.world.alice, "tell me the time")
            assert (await fake.reply_to(question, timeout=30)).content == "It is noon."
        finally:
            await first.stop()
            if second is not None:
                await second.stop()


async def test_redis_restarted_mid_run_loses_no_voice_message_and_quick_commands_keep_answering(
    fake: FakeDiscord, redis: RedisServer, tmp_path: Path
) -> None:
    async with (
        redis_app_bot(fake, tmp_path / "bot", redis.url, model=MODEL),
        workers(redis.url, tmp_path / "workers", 2),
    ):
        message = await send_voice(fake, "en_jfk.ogg")
        await wait_for_lease(redis.url)
        redis.stop()
        hello = await fake.send_message(fake.world.alice, "!hi")
        assert (await fake.reply_to(hello)).content.startswith("Hi ")
        await asyncio.sleep(1.0)
        redis.start()
        assert "fellow americans" in await heard(fake, message)


def fake_space(fake: FakeDiscord) -> Space:
    return Space(guild_id=GuildId(fake.world.guild_id))
