"""Command errors raised by discord.py, told to the user in one short sentence; the unexpected ones logged once."""

import math

from discord import app_commands
from discord.ext import commands

from adapters.markdown import discord_markdown, inline_code
from domain.catalogue import BY_NAME, closest_command
from domain.errors import MissingArgument
from domain.text import render


def _usage(prefix: str, name: str) -> str:
    spec = BY_NAME.get(name)
    return f"`{prefix}{spec.usage}`" if spec is not None else f"`{prefix}help`"


def _permissions(names: list[str]) -> str:
    return ", ".join(name.replace("_", " ").replace("guild", "server").title() for name in names)


def explain(error: Exception, *, prefix: str, command: str, typed: str = "") -> str | None:
    """What to tell the user about `error`, or None when it is a fault of ours (log it, apologise)."""
    if isinstance(error, commands.HybridCommandError):
        error = error.original
    if isinstance(error, commands.CommandNotFound):
        suggestion = closest_command(typed)
        hint = f" Did you mean `{prefix}{suggestion}`?" if suggestion else ""
        # What was typed is the user's text: quoted so that it cannot break out of the code span.
        return f"I don't know the command {inline_code(prefix + typed, 40)}.{hint} Type `{prefix}help` for the list."
    if isinstance(error, commands.MissingRequiredArgument | commands.MissingRequiredAttachment):
        spec = BY_NAME.get(command)
        return render(MissingArgument(spec.usage if spec is not None else "help").text, discord_markdown(prefix))
    if isinstance(error, commands.UserInputError | app_commands.TransformerError):
        return f"I couldn't understand that. Usage: {_usage(prefix, command)}"
    if isinstance(error, commands.CommandOnCooldown | app_commands.CommandOnCooldown):
        return f"`{prefix}{command}` is cooling down; try again in {math.ceil(error.retry_after)} s."
    if isinstance(error, commands.MaxConcurrencyReached):
        return f"`{prefix}{command}` is busy right now; try again shortly."
    if isinstance(error, commands.NotOwner):
        return "Only the bot's owner can do that."
    if isinstance(error, commands.MissingPermissions | app_commands.MissingPermissions):
        return f"You need the {_permissions(error.missing_permissions)} permission for that."
    if isinstance(error, commands.BotMissingPermissions | app_commands.BotMissingPermissions):
        return f"I need the {_permissions(error.missing_permissions)} permission here for that."
    if isinstance(error, commands.NoPrivateMessage | app_commands.NoPrivateMessage):
        return "That command works in servers only."
    if isinstance(error, commands.DisabledCommand):
        return "That command is switched off."
    if isinstance(error, commands.CheckFailure | app_commands.CheckFailure):
        # NotPrivileged and other checks that carry their own sentence.
        text = str(error)
        return text if text and not text.startswith("The check functions") else "You can't use that command here."
    return None
