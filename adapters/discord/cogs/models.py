"""Training, testing and choosing models and datasets."""

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord.cogs import catalogued

if TYPE_CHECKING:
    from adapters.discord.bot import ParrotBot

Context = commands.Context["ParrotBot"]


class Models(commands.Cog):
    def __init__(self, bot: "ParrotBot") -> None:
        self.bot = bot

    @catalogued("train")
    @app_commands.describe(file="A dataset file", data="`status`, or `question => answer` lines")
    async def train(self, ctx: Context, file: discord.Attachment | None = None, *, data: str = "") -> None:
        await self.bot.submit(ctx, data, file)

    @catalogued("test")
    @app_commands.describe(file="A dataset file", data="`question => answer` lines")
    async def test(self, ctx: Context, file: discord.Attachment | None = None, *, data: str = "") -> None:
        await self.bot.submit(ctx, data, file)

    @catalogued("model")
    @app_commands.describe(action="`use N` to switch to version N; empty to list the versions")
    async def model(self, ctx: Context, *, action: str = "") -> None:
        await self.bot.submit(ctx, action)

    @catalogued("select_dataset")
    @app_commands.describe(name="The dataset's name; empty to list them")
    async def select_dataset(self, ctx: Context, *, name: str = "") -> None:
        await self.bot.submit(ctx, name)
