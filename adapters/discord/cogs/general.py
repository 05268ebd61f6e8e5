"""Greeting, help, instructions, feedback and corrections."""

from discord import app_commands

from adapters.discord.cogs.catalogue import CatalogueCog, Context, catalogued
from application.chat.command_parser import build_feedback, build_settings
from domain import commands as c


class General(CatalogueCog):
    @catalogued("hi", aliases=("hello",))
    async def hi(self, ctx: Context) -> None:
        await self.inbox.submit(ctx, c.Greet)

    @catalogued("help")
    @app_commands.describe(command="A command to explain")
    async def help_(self, ctx: Context, command: str = "") -> None:
        await self.inbox.submit(ctx, lambda message: c.ShowHelp(message, topic=command), command)

    @catalogued("instruction", aliases=("instructions",))
    async def instruction(self, ctx: Context) -> None:
        await self.inbox.submit(ctx, c.SendInstruction)

    @catalogued("feedback")
    @app_commands.describe(text="What you think, or `list` (admins) to read what was said")
    async def feedback(self, ctx: Context, *, text: str) -> None:
        await self.inbox.submit(ctx, lambda message: build_feedback(message, text), text)

    @catalogued("correct")
    @app_commands.describe(text="The answer I should have given")
    async def correct(self, ctx: Context, *, text: str) -> None:
        await self.inbox.submit(ctx, lambda message: c.CorrectReply(message, correction=text), text)

    @catalogued("settings")
    @app_commands.describe(
        change="`transcribe`, `voice`, `voicelog`, `starter` + `on|off`; `languages en ru`; empty to show"
    )
    async def settings(self, ctx: Context, *, change: str = "") -> None:
        await self.inbox.submit(ctx, lambda message: build_settings(message, change), change, ephemeral=True)

    @catalogued("privacy")
    async def privacy(self, ctx: Context) -> None:
        await self.inbox.submit(ctx, c.ShowPrivacy, ephemeral=True)

    @catalogued("forget")
    @app_commands.describe(who="`me`: everything I keep about you")
    async def forget(self, ctx: Context, who: str = "") -> None:
        await self.inbox.submit(ctx, lambda message: c.ForgetMe(message, target=who), who, ephemeral=True)
