"""Discord-side gates for the catalogue's privileged and expensive commands.

Privilege is the core's to check (the bus admits each command through the privilege policy). Here the
slash menu only hides privileged commands from members without Manage Server by default, and expensive
commands cool down per user, so one member cannot queue training after training.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from discord import app_commands
from discord.ext import commands

from adapters.discord.inbox import Inbox
from domain.catalogue import BY_NAME

T = TypeVar("T")


def _cooldown(ctx: "commands.Context[Any]") -> commands.Cooldown | None:
    inbox: Inbox = getattr(ctx.cog, "inbox")  # noqa: B009 - every catalogued command's cog holds the Inbox
    if ctx.author.id in inbox.owner_ids:
        return None
    return commands.Cooldown(1, inbox.expensive_cooldown_seconds)


def gated(name: str) -> Callable[[T], T]:
    """Apply the catalogue's Discord-side gates for command `name`: the slash menu's default and a cooldown."""
    spec = BY_NAME[name]

    def decorate(func: T) -> T:
        decorated: Any = func
        if spec.privileged:
            # Hidden by default from members without Manage Server; admins can change it per server.
            decorated = app_commands.default_permissions(manage_guild=True)(decorated)
        if spec.expensive:
            decorated = commands.dynamic_cooldown(_cooldown, commands.BucketType.user)(decorated)
        return decorated  # type: ignore[no-any-return]

    return decorate
