"""Cogs by feature. Each catalogued command is a hybrid (prefix and slash) command that only hands its
invocation to `ParrotBot.submit`; the core decides what it means."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from discord.ext import commands

from adapters.discord.checks import gated
from domain.catalogue import BY_NAME

if TYPE_CHECKING:
    from adapters.discord.bot import ParrotBot

# Discord caps a slash command's description at 100 characters.
_SLASH_DESCRIPTION = 100


def catalogued(name: str, *, aliases: tuple[str, ...] = ()) -> Callable[[Any], Any]:
    """A hybrid command described by the catalogue, with the catalogue's privilege and cooldown gates."""
    spec = BY_NAME[name]
    summary = spec.summary if len(spec.summary) <= _SLASH_DESCRIPTION else spec.summary[:99] + "…"

    def decorate(callback: Any) -> Any:
        gated_callback = gated(name)(callback)
        return commands.hybrid_command(
            name=name, description=summary, help=spec.summary, usage=spec.usage, aliases=list(aliases)
        )(gated_callback)

    return decorate


async def load_cogs(bot: "ParrotBot") -> None:
    from adapters.discord.cogs.files import Files
    from adapters.discord.cogs.general import General
    from adapters.discord.cogs.models import Models
    from adapters.discord.cogs.owner import Owner
    from adapters.discord.cogs.voice import Voice

    for cog in (General(bot), Voice(bot), Models(bot), Files(bot), Owner(bot)):
        await bot.add_cog(cog)
