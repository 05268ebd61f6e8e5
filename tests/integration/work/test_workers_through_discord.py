"""The bot on the socket-level fake Discord, its heavy work done by real `parrot worker` processes over Redis.

Real speech clips and real backends (whisper in the workers, tf-idf for the model): what a user would see.
"""

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from redis.asyncio import Redis

from adapters.model.tfidf import TfidfBackend
from bootstrap import Container
from domain.ids import GuildId
from domain.spaces import Space
from domain.training import Dataset, Example, ModelVersion
from support.fake_discord import EDIT_MESSAGE, SEND_MESSAGE, FakeDiscord
from support.fake_discord.server import Call
from support.made_up_data import made_up_dataset
from support.processes import alive, descendants
from support.redis_server import RedisServer
from support.shared_data import shared_data
from support.wer import word_error_rate
from support.work_harness import redis_app_bot, start_worker, wait_for_lease, workers

pytestmark = pytest.mark.slow

HEARD = "🎙️ I heard: "
QUESTIONS = [
    ("hello", "Hello!"),
    ("hi there", "Hello!"),
    ("good morning", "Hello!"),
    ("bye", "Bye!"),
    ("see you later", "Bye!"),
    ("goodbye", "Bye!"),
    ("what time is it", "It is noon."),
    ("tell me the time", "It is noon."),
]
FAQ = "\n".join(f"{question} => {answer}" for question, answer in QUESTIONS)
MODEL = {"backend": "tfidf"}
# A minute of fitting or more (500 intents that share their words), far past the deadline it is given; and as that
# depends on the machine, the test also stops (SIGSTOP) the processes it fits in: it cannot end before its deadline.
SLOW_CSV = "text,intent\n" + "".join(
    f"{text},{intent}\n" for text, intent in made_up_dataset(500, 40, 6, vocabulary=2000)
)
# Without the starter model, which the bot would otherwise have trained too, under the same deadline.
ONLY_USERS_MODELS = MODEL | {"starter": False}
TOO_LONG = "Training `train-1` failed: Training took too long (over {:g} s); please try again later."
UNCHANGED = " The active model is unchanged."


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


async def test_a_training_past_its_deadline_is_stopped_on_its_worker_and_told_once(
    fake: FakeDiscord, redis: RedisServer, tmp_path: Path
) -> None:
    bot = redis_app_bot(fake, tmp_path / "bot", redis.url, model=ONLY_USERS_MODELS, work={"train_seconds": 8.0})
    async with bot as (_, container):
        active = await publish_a_model(container, fake_space(fake))
        worker = await start_worker(redis.url, tmp_path / "workers", "only", PARROT_MODEL_BACKEND="tfidf")
        try:
            slow = fake.add_attachment("slow.csv", SLOW_CSV.encode(), "text/csv")
            train = await fake.send_message(fake.world.admin, "!train", attachments=[slow])
            assert (await fake.reply_to(train, timeout=30)).content.startswith("Training `train-1` started")
            await wait_for_lease(redis.url)
            fitting = await fitting_processes(worker.process.pid)
            for pid in fitting:
                os.kill(pid, signal.SIGSTOP)  # it does no more work: only killing it ends it
            await told(fake, TOO_LONG.format(8.0), timeout=60)
            async with asyncio.timeout(5):  # the fit stops with its job, not a minute later
                while any(alive(pid) for pid in fitting):
                    await asyncio.sleep(0.1)
            # The worker runs one job at a time: it takes the next one, so the stopped one has let go.
            message = await send_voice(fake, "en_one_two_three.wav")
            assert word_error_rate([("one two three", await heard(fake, message))]) == 0
            assert answers_with(fake, "took too long") == [TOO_LONG.format(8.0) + UNCHANGED]
            versions = await container.storage.model_store().list_versions(fake_space(fake))
            settings = await container.storage.space_settings().load(fake_space(fake))
            assert versions == [active] and settings.active_model == active.number
            question = await fake.send_message(fake.world.alice, "tell me the time")
            assert (await fake.reply_to(question, timeout=30)).content == "It is noon."
        finally:
            await worker.stop()
    assert worker.log().count('"job stopped at its deadline"') == 1


async def publish_a_model(container: Container, space: Space) -> ModelVersion:
    """Version 1 of a model of QUESTIONS, fitted here and made active, as an earlier `!train` would have."""
    intents = {answer: f"intent_{number}" for number, answer in enumerate(dict.fromkeys(a for _, a in QUESTIONS))}
    examples = tuple(Example(question, intents[answer], answer) for question, answer in QUESTIONS)
    dataset = Dataset("faq.txt", examples, {intent: answer for answer, intent in intents.items()})
    with ThreadPoolExecutor(max_workers=1) as pool:
        artifact = await TfidfBackend(pool=pool).train(dataset, lambda fraction, stage: None)
    version = ModelVersion(
        0, "tfidf", dataset.name, dataset.content_hash, datetime.now(UTC), len(examples), dataset.intents
    )
    published: ModelVersion = await container.storage.model_store().publish(space, artifact, version, activate=True)
    return published


async def test_a_training_whose_deadline_passed_while_no_worker_ran_is_told_once_and_never_run(
    fake: FakeDiscord, redis: RedisServer, tmp_path: Path
) -> None:
    async with redis_app_bot(fake, tmp_path / "bot", redis.url, model=ONLY_USERS_MODELS, work={"train_seconds": 1.0}):
        train = await fake.send_message(fake.world.admin, f"!train {FAQ}")
        assert (await fake.reply_to(train, timeout=30)).content.startswith("Training `train-1` started")
        await told(fake, TOO_LONG.format(1.0), timeout=30)
        async with workers(redis.url, tmp_path / "workers", 1, PARROT_MODEL_BACKEND="tfidf") as pool:
            message = await send_voice(fake, "en_one_two_three.wav")
            assert word_error_rate([("one two three", await heard(fake, message))]) == 0
            log = pool[0].log()
        assert answers_with(fake, "took too long") == [TOO_LONG.format(1.0) + UNCHANGED]
    assert log.count('"job done"') == 1  # the voice message only
    assert '"work_job":"transcribe-' in log.replace(" ", "") and '"work_job":"train-' not in log.replace(" ", "")
    redis_client = Redis.from_url(redis.url)
    try:
        assert [key async for key in redis_client.scan_iter("parrot:result:train-*")] == []
    finally:
        await redis_client.aclose()


def answers_with(fake: FakeDiscord, words: str) -> list[str]:
    return [call.content for call in fake.calls_to(SEND_MESSAGE) + fake.calls_to(EDIT_MESSAGE) if words in call.content]


async def told(fake: FakeDiscord, text: str, timeout: float) -> None:
    """Wait until the bot has said `text` (the start of a message it sent or edited)."""
    async with asyncio.timeout(timeout):
        while not any(answer.startswith(text) for answer in answers_with(fake, text)):
            await asyncio.sleep(0.1)


async def fitting_processes(worker_pid: int) -> set[int]:
    """The processes the worker fits in, once there are some (spawned by multiprocessing; not its tracker)."""
    async with asyncio.timeout(30):
        while True:
            found = {pid for pid in descendants(worker_pid) if b"spawn_main" in command_line(pid)}
            if found:
                return found
            await asyncio.sleep(0.05)


def command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def fake_space(fake: FakeDiscord) -> Space:
    return Space(guild_id=GuildId(fake.world.guild_id))
