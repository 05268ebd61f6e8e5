"""Several machines, for real: bot processes with their own data roots share one PostgreSQL, one Redis and one bot
account, and a guild moved from one process's shards to another's keeps its model, settings and corrections."""

from pathlib import Path

import pytest

from support.fake_discord import EDIT_MESSAGE, FakeDiscord
from support.fake_discord.world import shard_of
from support.postgres_server import PostgresDatabase
from support.redis_server import RedisServer
from support.work_harness import workers
from tests.integration.work.test_shards import bot_env, bot_process, connected

TRAINING = "!train " + "\n".join(
    [
        "what is the parrot password => The password is swordfish.",
        "tell me the parrot password => The password is swordfish.",
        "when does the shop open => At nine.",
        "what time does the shop open => At nine.",
    ]
)


async def answer(fake: FakeDiscord, author: object, text: str, channel_id: int, timeout: float = 30) -> str:
    message = await fake.send_message(author, text, channel_id=channel_id)  # type: ignore[arg-type]
    return (await fake.reply_to(message, timeout=timeout)).content


@pytest.mark.slow
async def test_a_guild_moved_to_another_process_on_another_data_root_keeps_its_model_settings_and_corrections(
    redis: RedisServer, postgres_database: PostgresDatabase, tmp_path: Path
) -> None:
    async with (
        FakeDiscord(shard_count=2) as fake,
        workers(redis.url, tmp_path / "workers", 1, PARROT_MODEL_BACKEND="tfidf"),
    ):
        guild, other = fake.world, fake.add_guild(1)
        channel = guild.text_channel.id
        roots = {"a": tmp_path / "machine-a", "b": tmp_path / "machine-b"}

        def env(machine: str, shard_ids: str, shard_count: int) -> dict[str, str]:
            # Each machine its own data root; the records, models and datasets only in the shared database.
            return bot_env(fake, redis, roots[machine], shard_ids) | {
                "PARROT_DISCORD_SHARD_COUNT": str(shard_count),
                "PARROT_STORAGE_DATABASE_URL": postgres_database.url,
            }

        # Before: the guild is on shard 0 of 2, run by machine A.
        assert shard_of(guild.guild_id, 2) == 0
        async with (
            bot_process(env("a", "0", 2), tmp_path / "a1.log") as first,
            bot_process(env("b", "1", 2), tmp_path / "b1.log") as second,
        ):
            await connected(fake, [(0, 2), (1, 2)], first, second)
            trained = await fake.send_message(guild.admin, TRAINING, channel_id=channel)
            await fake.wait_for(
                lambda call: call.route == EDIT_MESSAGE and call.content.startswith("Training `train-1` done"),
                timeout=120,
            )
            assert await answer(fake, guild.alice, "what is the parrot password", channel) == (
                "The password is swordfish."
            )
            settings = await answer(fake, guild.admin, "!settings voicelog on", channel)
            assert settings.startswith("Saved. what I hear and answer in voice channels is kept as text")
            await answer(fake, guild.alice, "what is the capital of peru", channel)
            corrected = await answer(fake, guild.alice, "!correct It is Lima.", channel)
            assert corrected.startswith('Thanks, noted. From now on I answer "what is the capital of peru"')
            assert fake.gateway.delivered_on("MESSAGE_CREATE", trained["id"]) == [(0, 2)]
            assert await answer(fake, other.alice, "!hi", other.text_channel.id)  # machine B serves its own guild

        # After: three shards, and the guild's falls to machine B alone, which never saw it.
        moved = shard_of(guild.guild_id, 3)
        rest = ",".join(str(shard) for shard in range(3) if shard != moved)
        async with (
            bot_process(env("a", rest, 3), tmp_path / "a2.log") as first,
            bot_process(env("b", str(moved), 3), tmp_path / "b2.log") as second,
        ):
            await connected(fake, sorted([(shard, 3) for shard in range(3)]), first, second)
            asked = await fake.send_message(guild.alice, "what is the parrot password", channel_id=channel)
            assert (await fake.reply_to(asked, timeout=30)).content == "The password is swordfish."
            # Among the sessions of now (the stopped ones' keep events for a resume that never comes), B's alone.
            delivered = fake.gateway.delivered_on("MESSAGE_CREATE", asked["id"])
            assert [shard for shard in delivered if shard[1] == 3] == [(moved, 3)]
            assert "voicelog **on**" in await answer(fake, guild.admin, "!settings", channel)
            assert await answer(fake, guild.alice, "what is the capital of peru", channel) == "It is Lima."
            assert (first.returncode, second.returncode) == (None, None)
    # Machine B kept nothing of the guild on its disk: no shared file system was needed.
    assert not (roots["b"] / "spaces" / f"guild-{guild.guild_id}").exists()
