"""Owner-only maintenance: registering slash commands with Discord on request, never on every start."""

from typing import TYPE_CHECKING

from discord.ext import commands

from adapters.discord.chat import NO_PINGS

if TYPE_CHECKING:
    from adapters.discord.bot import ParrotBot

Context = commands.Context["ParrotBot"]


class Owner(commands.Cog):
    def __init__(self, bot: "ParrotBot") -> None:
        self.bot = bot

    @commands.command(name="sync", hidden=True)
    @commands.is_owner()
    async def sync(self, ctx: Context, scope: str = "global") -> None:
        """`sync`: register the slash commands everywhere (up to an hour to show); `sync here`: this server, at once."""
        if scope == "here" and ctx.guild is not None:
            self.bot.tree.copy_global_to(guild=ctx.guild)
            synced = await self.bot.tree.sync(guild=ctx.guild)
            where = "in this server"
        else:
            synced = await self.bot.tree.sync()
            where = "globally"
        await ctx.reply(f"Synced {len(synced)} slash commands {where}.", allowed_mentions=NO_PINGS)
