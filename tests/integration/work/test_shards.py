"""Shards: several bot processes share one bot account and one work queue, never the same shard."""

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from adapters.config.settings import ConfigurationError, load_settings
from adapters.work.shards import ShardClaim
from application.ports.work import ShardsTaken
from support import records
from support.fake_discord import SEND_MESSAGE, FakeDiscord
from support.redis_server import RedisServer
from support.shared_data import PROJECT_ROOT, shared_data
from support.work_harness import workers


def test_shard_settings_are_checked_and_read_from_the_environment() -> None:
    settings = load_settings(environ={"PARROT_DISCORD_SHARD_COUNT": "4", "PARROT_DISCORD_SHARD_IDS": "2, 3"})
    assert (settings.discord.shard_count, settings.discord.shards()) == (4, (2, 3))
    assert load_settings(environ={"PARROT_DISCORD_SHARD_COUNT": "2"}).discord.shards() == (0, 1)
    assert load_settings(environ={}).discord.shards() == ()
    for wrong, says in [
        ({"PARROT_DISCORD_SHARD_IDS": "1"}, "shard_ids needs shard_count"),
        ({"PARROT_DISCORD_SHARD_COUNT": "2", "PARROT_DISCORD_SHARD_IDS": "2"}, "below shard_count"),
        ({"PARROT_DISCORD_SHARD_COUNT": "2", "PARROT_DISCORD_SHARD_IDS": "1,1"}, "a shard twice"),
    ]:
        with pytest.raises(ConfigurationError, match=says):
            load_settings(environ=wrong)


async def test_overlapping_shards_are_refused_and_freed_ones_can_be_claimed(redis: RedisServer) -> None:
    first = ShardClaim(redis.url, [0, 1], 4, owner="machine-a pid 1")
    await first.claim()
    overlapping = ShardClaim(redis.url, [1, 2], 4, owner="machine-b pid 2")
    with pytest.raises(ShardsTaken, match="shard 1 by machine-a pid 1"):
        await overlapping.claim()
    disjoint = ShardClaim(redis.url, [2, 3], 4, owner="machine-c pid 3")
    await disjoint.claim()  # shard 2 was not left claimed by the refused process
    await first.release()
    again = ShardClaim(redis.url, [0, 1], 4, owner="machine-b pid 2")
    await again.claim()
    for claim in (overlapping, disjoint, again):
        await claim.release()


def bot_env(fake: FakeDiscord, redis: RedisServer, data_root: Path, shard_ids: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(data_root),
        "PARROT_CONFIG": os.devnull,
        "DISCORD_TOKEN": fake.token,
        "PARROT_DISCORD_API_BASE": fake.api_base,
        "PARROT_DISCORD_GATEWAY_URL": fake.gateway_url,
        "PARROT_DISCORD_VOICE_CA_FILE": str(fake.ca_file),
        "PARROT_DISCORD_GUILD_READY_TIMEOUT": "0.1",
        "PARROT_DISCORD_SHARD_COUNT": "2",
        "PARROT_DISCORD_SHARD_IDS": shard_ids,
        "PARROT_STORAGE_DATA_ROOT": str(data_root),
        "PARROT_WORK_QUEUE": "redis",
        "PARROT_WORK_REDIS_URL": redis.url,
        "PARROT_MODEL_BACKEND": "tfidf",
        "PARROT_LOGGING_FORMAT": "json",
    }


@asynccontextmanager
async def bot_process(env: dict[str, str], log_file: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    # Its log goes to a file: a pipe nobody reads while it runs could fill and stall the bot.
    with log_file.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "cli", "run", cwd=PROJECT_ROOT, env=env, stderr=log
        )
        try:
            yield process
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


async def connected(fake: FakeDiscord, shards: list[tuple[int, int]], *processes: asyncio.subprocess.Process) -> None:
    async with asyncio.timeout(60):
        while sorted(fake.gateway.connected_shards()) != shards:
            assert all(process.returncode is None for process in processes), "a bot process stopped"
            await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # on_ready follows the guild_ready_timeout


@pytest.mark.slow
async def test_two_bot_processes_with_different_shards_share_the_queue_and_a_third_overlapping_is_refused(
    redis: RedisServer, tmp_path: Path
) -> None:
    # One fake Discord, as one bot account sees it: a guild on each of two shards, and each bot process
    # connects for its shard (one data root per shard range) and is sent only its guilds' events.
    async with FakeDiscord(shard_count=2) as fake, workers(redis.url, tmp_path / "workers", 1):
        guilds = [fake.world, fake.add_guild(1)]
        roots = [tmp_path / "data0", tmp_path / "data1"]
        env0 = bot_env(fake, redis, roots[0], "0")
        env1 = bot_env(fake, redis, roots[1], "1")
        async with (
            bot_process(env0, tmp_path / "bot0.log") as first,
            bot_process(env1, tmp_path / "bot1.log") as second,
        ):
            await connected(fake, [(0, 2), (1, 2)], first, second)
            assert sorted(identify["shard"] for identify in fake.gateway.identifies) == [[0, 2], [1, 2]]
            clip = shared_data("speech", "en_jfk.ogg").read_bytes()
            voices, feedbacks = [], []
            for guild in guilds:
                channel = guild.text_channel.id
                note = fake.add_attachment("voice-message.ogg", clip, "audio/ogg", channel_id=channel, voice=True)
                voices.append(
                    await fake.send_message(guild.alice, "", channel_id=channel, attachments=[note], voice_message=True)
                )
                feedbacks.append(
                    await fake.send_message(guild.alice, f"!feedback from {guild.name}", channel_id=channel)
                )
            for voice, feedback in zip(voices, feedbacks, strict=True):
                transcript = await fake.reply_to(voice, timeout=120)
                assert "fellow Americans" in transcript.content
                await fake.reply_to(feedback, timeout=10)
            third = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "cli",
                "run",
                cwd=PROJECT_ROOT,
                env=bot_env(fake, redis, tmp_path / "data2", "1"),
                stderr=asyncio.subprocess.PIPE,
            )
            _, errors = await asyncio.wait_for(third.communicate(), 60)
            assert third.returncode == 1
            assert "these shards are already run by another process: shard 1 by" in errors.decode()
            assert len(fake.gateway.identifies) == 2  # the refused process never connected
            assert (first.returncode, second.returncode) == (None, None)
        heard = [c for c in fake.calls_to(SEND_MESSAGE) if c.content.startswith("🎙️ I heard:")]
        assert len(heard) == 2
        for shard, (guild, voice) in enumerate(zip(guilds, voices, strict=True)):
            # Sent only on the connection of the guild's shard, answered once, written in that process's root.
            assert fake.gateway.delivered_on("MESSAGE_CREATE", voice["id"]) == [(shard, 2)]
            assert len([c for c in heard if c.reply_to == int(voice["id"])]) == 1
            space = f"spaces/guild-{guild.guild_id}"
            kept = records.texts(roots[shard], "feedback", f"guild-{guild.guild_id}")
            assert any(f"from {guild.name}" in text for text in kept)
            assert records.rows(roots[1 - shard], "feedback", f"guild-{guild.guild_id}") == []
            assert not (roots[1 - shard] / space).exists()
