"""Joining, leaving and listening to voice channels."""

from discord import app_commands

from adapters.discord.cogs.catalogue import CatalogueCog, Context, catalogued
from application.chat.command_parser import build_listen
from domain import commands as c


class Voice(CatalogueCog):
    @catalogued("join")
    async def join(self, ctx: Context) -> None:
        await self.inbox.submit(ctx, c.JoinVoice)

    @catalogued("leave")
    async def leave(self, ctx: Context) -> None:
        await self.inbox.submit(ctx, c.LeaveVoice)

    @catalogued("listen")
    @app_commands.describe(choice="on or off (admins), optout or optin (for yourself)")
    @app_commands.choices(
        choice=[app_commands.Choice(name=name, value=name) for name in ("on", "off", "optout", "optin")]
    )
    async def listen(self, ctx: Context, choice: str = "") -> None:
        await self.inbox.submit(ctx, lambda message: build_listen(message, choice), choice)
