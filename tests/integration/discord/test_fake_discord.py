"""The fake Discord itself: unknown routes fail the test that caused them."""

import discord
import pytest
from discord.http import Route

from adapters.discord import ParrotBot
from support.fake_discord import FakeDiscord


async def test_an_unknown_route_is_answered_404_and_recorded(fake: FakeDiscord, bot: ParrotBot) -> None:
    with pytest.raises(discord.NotFound):
        await bot.http.request(Route("GET", "/guilds/{guild_id}/bans", guild_id=fake.world.guild_id))
    assert fake.problems() == [f"unknown route GET /api/v10/guilds/{fake.world.guild_id}/bans"]
    fake.unknown.clear()  # seen; the fixture's check would fail the test otherwise


async def test_leaving_the_fake_raises_when_problems_were_seen() -> None:
    with pytest.raises(AssertionError, match="unknown route GET /api/v10/nowhere"):
        async with FakeDiscord() as fake:
            fake.unknown.append("GET /api/v10/nowhere")
