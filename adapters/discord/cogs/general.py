"""Greeting, help, instructions, feedback and corrections."""

from typing import TYPE_CHECKING

from discord import app_commands
from discord.ext import commands

from adapters.discord.cogs import catalogued

if TYPE_CHECKING:
    from adapters.discord.bot import ParrotBot

Context = commands.Context["ParrotBot"]


class General(commands.Cog):
    def __init__(self, bot: "ParrotBot") -> None:
        self.bot = bot

    @catalogued("hi", aliases=("hello",))
    async def hi(self, ctx: Context) -> None:
        await self.bot.submit(ctx)

    @catalogued("help")
    @app_commands.describe(command="A command to explain")
    async def help_(self, ctx: Context, command: str = "") -> None:
        await self.bot.submit(ctx, command)

    @catalogued("instruction", aliases=("instructions",))
    async def instruction(self, ctx: Context) -> None:
        await self.bot.submit(ctx)

    @catalogued("feedback")
    @app_commands.describe(text="What you think, or `list` (admins) to read what was said")
    async def feedback(self, ctx: Context, *, text: str) -> None:
        await self.bot.submit(ctx, text)

    @catalogued("correct")
    @app_commands.describe(text="The answer I should have given")
    async def correct(self, ctx: Context, *, text: str) -> None:
        await self.bot.submit(ctx, text)
