"""Cogs by feature. Each catalogued command is a hybrid (prefix and slash) command that builds its domain
command from its typed parameters and hands it to the Inbox; the core decides what happens.

Cogs are given the Inbox, never the bot (an import-linter contract keeps them from importing it)."""

from discord.ext import commands

from adapters.discord.cogs.files import Files
from adapters.discord.cogs.general import General
from adapters.discord.cogs.menus import transcribe_menu
from adapters.discord.cogs.models import Models
from adapters.discord.cogs.owner import Owner
from adapters.discord.cogs.voice import Voice
from adapters.discord.inbox import Inbox


async def load_cogs(bot: commands.Bot, inbox: Inbox) -> None:
    for cog in (General(inbox), Voice(inbox), Models(inbox), Files(inbox), Owner(bot)):
        await bot.add_cog(cog)
    bot.tree.add_command(transcribe_menu(inbox))
