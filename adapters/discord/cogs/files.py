"""This server's files: archives and single files."""

from discord import app_commands

from adapters.discord.cogs.catalogue import CatalogueCog, Context, catalogued
from domain import commands as c


class Files(CatalogueCog):
    @catalogued("archive")
    @app_commands.describe(directory="A folder of this server's files")
    async def archive(self, ctx: Context, *, directory: str) -> None:
        await self.inbox.submit(ctx, lambda message: c.ArchiveFiles(message, directory=directory), directory)

    @catalogued("getfile")
    @app_commands.describe(path="A file of this server's files")
    async def getfile(self, ctx: Context, *, path: str) -> None:
        await self.inbox.submit(ctx, lambda message: c.GetFile(message, path=path), path)
