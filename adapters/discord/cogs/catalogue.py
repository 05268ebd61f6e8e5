"""What every cog shares: catalogued commands (described, gated and cooled down by the catalogue) and the Inbox."""

from collections.abc import Callable
from typing import Any

from discord.ext import commands

from adapters.discord.checks import gated
from adapters.discord.inbox import Inbox
from domain.catalogue import BY_NAME
from domain.text import Renderer, render, with_commands

# Discord caps a slash command's description at 100 characters.
_SLASH_DESCRIPTION = 100

Context = commands.Context[Any]


def slash_description(summary: str) -> str:
    """A catalogue summary for the slash menu: plain text (the menu shows no markdown), commands as `/name`."""
    plain = render(with_commands(summary, BY_NAME), Renderer(command=lambda part: "/" + part.usage)).replace("`", "")
    return plain if len(plain) <= _SLASH_DESCRIPTION else plain[: _SLASH_DESCRIPTION - 1] + "…"


def catalogued(name: str, *, aliases: tuple[str, ...] = ()) -> Callable[[Any], Any]:
    """A hybrid command described by the catalogue, with the catalogue's slash-menu default and cooldown."""
    spec = BY_NAME[name]
    summary = slash_description(spec.summary)

    def decorate(callback: Any) -> Any:
        gated_callback = gated(name)(callback)
        return commands.hybrid_command(
            name=name, description=summary, help=summary, usage=spec.usage, aliases=list(aliases)
        )(gated_callback)

    return decorate


class CatalogueCog(commands.Cog):
    """A cog of catalogued commands: it holds the Inbox its commands go to."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox
