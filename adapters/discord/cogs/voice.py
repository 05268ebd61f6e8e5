"""Joining and leaving voice channels."""

from typing import TYPE_CHECKING

from discord.ext import commands

from adapters.discord.cogs import catalogued

if TYPE_CHECKING:
    from adapters.discord.bot import ParrotBot

Context = commands.Context["ParrotBot"]


class Voice(commands.Cog):
    def __init__(self, bot: "ParrotBot") -> None:
        self.bot = bot

    @catalogued("join")
    async def join(self, ctx: Context) -> None:
        await self.bot.submit(ctx)

    @catalogued("leave")
    async def leave(self, ctx: Context) -> None:
        await self.bot.submit(ctx)
