"""Starting and stopping: one-line reasons instead of tracebacks, graceful shutdown on SIGTERM, sync on request."""

import asyncio
import logging
import os
import re
import signal

import pytest
import structlog

from adapters.discord import DiscordStartupError, ParrotBot, run_discord_bot, sync_slash_commands
from adapters.discord.cogs.menus import TRANSCRIBE
from cli import discord_bot
from domain.catalogue import BY_NAME
from domain.ids import ChannelId, GuildId
from support.discord_harness import RecordingSink, bot_config
from support.fake_discord import FakeDiscord


def make_bot(fake: FakeDiscord, **changes: object) -> ParrotBot:
    bot = discord_bot(bot_config(fake, **changes))
    bot.attach(RecordingSink())
    return bot


@pytest.mark.parametrize(
    ("token", "reason"),
    [("", "No Discord bot token"), ("not-the-token", "Discord rejected the bot token")],
)
async def test_a_missing_or_rejected_token_is_one_line(fake: FakeDiscord, token: str, reason: str) -> None:
    with pytest.raises(DiscordStartupError) as failure:
        await run_discord_bot(make_bot(fake), token, handle_signals=False)
    message = str(failure.value)
    assert message.startswith(reason) and "\n" not in message
    assert failure.value.__context__ is None or failure.value.__suppress_context__  # no chained traceback


async def test_an_unreachable_discord_is_one_line(fake: FakeDiscord) -> None:
    bot = make_bot(fake, api_base="http://127.0.0.1:9/api/v10")
    with pytest.raises(DiscordStartupError, match=re.escape("Could not reach Discord at http://127.0.0.1:9/api/v10")):
        await run_discord_bot(bot, fake.token, handle_signals=False)


async def test_sigterm_leaves_voice_and_closes(fake: FakeDiscord, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    bot = make_bot(fake)
    with structlog.testing.capture_logs() as logs:
        running = asyncio.create_task(run_discord_bot(bot, fake.token))
        await asyncio.wait_for(bot.wait_until_ready(), 5)
        await bot.voice.join(GuildId(fake.world.guild_id), ChannelId(fake.world.voice_channel.id))
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(running, 10)
    assert bot.is_closed()
    assert fake.gateway.voice_requests[-1]["channel_id"] is None  # left the voice channel
    assert fake.token not in caplog.text
    assert all(fake.token not in str(entry) for entry in logs)


async def test_slash_commands_sync_without_the_gateway(fake: FakeDiscord) -> None:
    # Every catalogued command, and the Transcribe entry of the message menu.
    assert await sync_slash_commands(make_bot(fake), fake.token) == len(BY_NAME) + 1
    assert {command["name"] for command in fake.registered_commands["global"]} == set(BY_NAME) | {TRANSCRIBE}
    assert fake.gateway.identifies == []
    guild = fake.world.guild_id
    assert await sync_slash_commands(make_bot(fake), fake.token, guild_id=guild) == len(BY_NAME) + 1
    assert len(fake.registered_commands[str(guild)]) == len(BY_NAME) + 1
