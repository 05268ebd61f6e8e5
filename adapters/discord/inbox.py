"""Where the Discord driver's input goes: the command a cog built (or the parser found) goes to the core once.

Cogs are given an Inbox, never the bot: they build the domain command from discord.py's typed parameters
(through the Discord-free translation in `translate.py` and `application.chat.command_parser`), and the Inbox
asks the core whether it is admitted, answers slash commands in place, and hands the command to the sink.
"""

import asyncio
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import discord
import structlog
from discord.ext import commands

from adapters.discord.attachments import DiscordAttachments
from adapters.discord.chat import NO_PINGS, DiscordChat
from adapters.discord.translate import to_interaction_message, to_message
from domain.commands import Command
from domain.errors import ParrotError
from domain.messages import Message

log = structlog.get_logger("parrot.discord")

Build = Callable[[Message], Command]


class CommandSink(Protocol):
    """The core, as the Discord driver sees it: the application's MessageBus (tests use a recording sink)."""

    def admit(self, command: Command) -> None:
        """Raise the refusal (a ParrotError) the command would get; the core's privilege policy decides."""
        ...

    async def handle(self, message: Command) -> None: ...


class Inbox:
    def __init__(
        self,
        chat: DiscordChat,
        attachments: DiscordAttachments,
        owner_ids: set[int],
        *,
        prefix: str,
        expensive_cooldown_seconds: float,
    ) -> None:
        self._prefix = prefix
        self._chat = chat
        self._attachments = attachments
        # The bot's set, completed at login with the application's owner or team.
        self.owner_ids = owner_ids
        self.expensive_cooldown_seconds = expensive_cooldown_seconds
        self._sink: CommandSink | None = None
        self.in_flight: set[asyncio.Task[Any]] = set()

    @property
    def prefix(self) -> str:
        return self._prefix

    def remember(self, attachments: Iterable[discord.Attachment]) -> None:
        """Attachments of a message a command refers to, so their bytes can be fetched without a URL from users."""
        self._attachments.remember(attachments)

    def attach(self, sink: CommandSink) -> None:
        self._sink = sink

    def message(self, message: discord.Message) -> Message:
        self._attachments.remember(message.attachments)
        return to_message(message, owner_ids=frozenset(self.owner_ids))

    async def submit(
        self,
        ctx: "commands.Context[Any]",
        build: Build,
        argument: str = "",
        file: discord.Attachment | None = None,
        *,
        ephemeral: bool = False,
    ) -> None:
        """Build the command a cog was invoked for, once, and put it on the bus; called by every catalogued command.

        `argument` is the text the command was given, which a slash command's message shows as its content.
        `ephemeral`: a slash command's answers are shown to the member who asked only (a prefix command's cannot be).
        """
        if ctx.interaction is None:
            command = build(self.message(ctx.message))
            if await self._refused(ctx, command):
                return
            await self.handle(command)
            return
        interaction = ctx.interaction
        files: Iterable[discord.Attachment] = [file] if file is not None else []
        self._attachments.remember(files)
        name = ctx.command.qualified_name if ctx.command is not None else ""
        # A slash command has no text of its own: the message reads as the prefix command would.
        content = f"{self._prefix}{name} {argument}".strip()
        command = build(to_interaction_message(interaction, content, files, owner_ids=frozenset(self.owner_ids)))
        if await self._refused(ctx, command):
            return
        self._chat.open_interaction(interaction, ephemeral=ephemeral)
        # Discord wants an answer within 3 s; the core may take longer (speech, training).
        await ctx.defer(ephemeral=ephemeral)
        try:
            await self.handle(command)
        finally:
            await self._chat.close_interaction(interaction)

    def interaction_message(
        self, interaction: discord.Interaction, content: str, attachments: Iterable[discord.Attachment] = ()
    ) -> Message:
        """The domain message standing for an interaction (a menu entry, button or form), with the interaction's id."""
        return to_interaction_message(interaction, content, attachments, owner_ids=frozenset(self.owner_ids))

    async def submit_interaction(
        self, interaction: discord.Interaction, command: Command, *, ephemeral: bool = False
    ) -> None:
        """Put a command built from a context menu, button or form on the bus; its answers go to the interaction."""
        try:
            self._sink_or_fail().admit(command)
        except ParrotError as refusal:
            log.info("command refused", command=type(command).__name__, reason=type(refusal).__name__)
            await interaction.response.send_message(
                self._chat.render(refusal.text), ephemeral=True, allowed_mentions=NO_PINGS
            )
            return
        self._chat.open_interaction(interaction, ephemeral=ephemeral)
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        try:
            await self.handle(command)
        finally:
            await self._chat.close_interaction(interaction)

    async def _refused(self, ctx: "commands.Context[Any]", command: Command) -> bool:
        """Asked before a slash command defers, so a refusal can be ephemeral: only the member sees it."""
        try:
            self._sink_or_fail().admit(command)
        except ParrotError as refusal:
            log.info("command refused", command=type(command).__name__, reason=type(refusal).__name__)
            await ctx.reply(self._chat.render(refusal.text), ephemeral=True, allowed_mentions=NO_PINGS)
            return True
        return False

    async def handle(self, command: Command) -> None:
        sink = self._sink_or_fail()
        task = asyncio.current_task()
        if task is not None:
            self.in_flight.add(task)
        try:
            await sink.handle(command)
        finally:
            self.in_flight.discard(task)

    def _sink_or_fail(self) -> CommandSink:
        if self._sink is None:
            raise RuntimeError("ParrotBot has no command sink: call attach(bus) before starting it")
        return self._sink
