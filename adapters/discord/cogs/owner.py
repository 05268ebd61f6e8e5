"""Owner-only maintenance: registering slash commands with Discord on request, never on every start."""

from typing import Any

from discord.ext import commands

from adapters.discord.chat import NO_PINGS

Context = commands.Context[Any]


class Owner(commands.Cog):
    """Not catalogued: it needs the command tree, so it gets the discord.py client (never ParrotBot's module)."""

    def __init__(self, bot: commands.Bot) -> None:
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
