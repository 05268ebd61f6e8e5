"""Joining and leaving voice channels."""

from adapters.discord.cogs import CatalogueCog, Context, catalogued
from domain import commands as c


class Voice(CatalogueCog):
    @catalogued("join")
    async def join(self, ctx: Context) -> None:
        await self.inbox.submit(ctx, c.JoinVoice)

    @catalogued("leave")
    async def leave(self, ctx: Context) -> None:
        await self.inbox.submit(ctx, c.LeaveVoice)
