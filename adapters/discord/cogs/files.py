"""This server's files: archives and single files."""

from typing import TYPE_CHECKING

from discord import app_commands
from discord.ext import commands

from adapters.discord.cogs import catalogued

if TYPE_CHECKING:
    from adapters.discord.bot import ParrotBot

Context = commands.Context["ParrotBot"]


class Files(commands.Cog):
    def __init__(self, bot: "ParrotBot") -> None:
        self.bot = bot

    @catalogued("archive")
    @app_commands.describe(directory="A folder of this server's files")
    async def archive(self, ctx: Context, *, directory: str) -> None:
        await self.bot.submit(ctx, directory)

    @catalogued("getfile")
    @app_commands.describe(path="A file of this server's files")
    async def getfile(self, ctx: Context, *, path: str) -> None:
        await self.bot.submit(ctx, path)
