"""Discord-side gates for the catalogue's privileged and expensive commands.

The core checks privileges too; checking here as well answers early (before a slash command defers)
and lets Discord hide privileged slash commands from members without Manage Server by default.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from discord import app_commands
from discord.ext import commands

from domain.catalogue import BY_NAME
from domain.errors import PermissionDenied

if TYPE_CHECKING:
    from adapters.discord.bot import ParrotBot

T = TypeVar("T")


class NotPrivileged(commands.CheckFailure):
    """Refused by the privilege policy; the message says who may run the command."""


async def _privileged(ctx: "commands.Context[ParrotBot]") -> bool:
    name = ctx.command.qualified_name if ctx.command is not None else ""
    try:
        ctx.bot.policy.require(ctx.bot.domain_message(ctx), name)
    except PermissionDenied as refusal:
        raise NotPrivileged(refusal.user_message) from None
    return True


def _cooldown(ctx: "commands.Context[ParrotBot]") -> commands.Cooldown | None:
    if ctx.author.id in ctx.bot.owner_ids:
        return None
    return commands.Cooldown(1, ctx.bot.config.expensive_cooldown_seconds)


def gated(name: str) -> Callable[[T], T]:
    """Apply the catalogue's gates for command `name`: privilege (both sides) and a per-user cooldown."""
    spec = BY_NAME[name]

    def decorate(func: T) -> T:
        decorated: Any = func
        if spec.privileged:
            decorated = commands.check(_privileged)(decorated)
            # Slash side: hidden by default from members without Manage Server; admins can change it per server.
            decorated = app_commands.default_permissions(manage_guild=True)(decorated)
        if spec.expensive:
            decorated = commands.dynamic_cooldown(_cooldown, commands.BucketType.user)(decorated)
        return decorated  # type: ignore[no-any-return]

    return decorate
