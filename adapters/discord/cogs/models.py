"""Training, testing and choosing models and datasets."""

import discord
from discord import app_commands

from adapters.discord.cogs.catalogue import CatalogueCog, Context, catalogued
from application.chat.command_parser import build_model, build_test, build_train
from domain import commands as c


class Models(CatalogueCog):
    @catalogued("train")
    @app_commands.describe(file="A dataset file", data="`status`, or `question => answer` lines")
    async def train(self, ctx: Context, file: discord.Attachment | None = None, *, data: str = "") -> None:
        await self.inbox.submit(ctx, lambda message: build_train(message, data), data, file)

    @catalogued("test")
    @app_commands.describe(file="A dataset file", data="`question => answer` lines")
    async def test(self, ctx: Context, file: discord.Attachment | None = None, *, data: str = "") -> None:
        await self.inbox.submit(ctx, lambda message: build_test(message, data), data, file)

    @catalogued("model")
    @app_commands.describe(action="`use N` to switch to version N; empty to list the versions")
    async def model(self, ctx: Context, *, action: str = "") -> None:
        await self.inbox.submit(ctx, lambda message: build_model(message, action), action)

    @catalogued("select_dataset")
    @app_commands.describe(name="The dataset's name; empty to list them")
    async def select_dataset(self, ctx: Context, *, name: str = "") -> None:
        await self.inbox.submit(ctx, lambda message: c.SelectDataset(message, name=name), name)
