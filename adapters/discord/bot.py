"""The Discord bot: receives messages and slash commands, turns them into domain commands, puts them on the bus.

No business logic lives here. A catalogued command's cog builds its domain command from discord.py's typed
parameters; a plain message, audio, or an unknown command goes through `application.chat.command_parser.parse_message`,
as in every text driver. Either way the command reaches the core once, through the Inbox.
"""

import asyncio
from typing import Any

import discord
import structlog
from discord import app_commands
from discord.ext import commands

from adapters.discord.attachments import DiscordAttachments
from adapters.discord.chat import NO_PINGS, DiscordChat
from adapters.discord.cogs import load_cogs
from adapters.discord.config import DiscordConfig
from adapters.discord.endpoints import connector_trusting, point_at
from adapters.discord.errors import explain
from adapters.discord.inbox import CommandSink, Inbox
from adapters.discord.listening.listener import DiscordListening
from adapters.discord.teach import TeachButton
from adapters.discord.translate import to_reaction_message
from adapters.discord.voice import DiscordVoice
from application.chat.command_parser import parse_message
from application.messagebus import APOLOGY
from domain.commands import RateReply
from domain.ids import MessageId

log = structlog.get_logger("parrot.discord")

# Messages people write; joins, pins, boosts and the like are not for the bot.
_CHAT_MESSAGE_TYPES = (discord.MessageType.default, discord.MessageType.reply)
THUMBS_DOWN = "\N{THUMBS DOWN SIGN}"


def _cause(error: BaseException) -> BaseException:
    """The exception under discord.py's wrappers (CommandInvokeError, HybridCommandError, ...)."""
    while isinstance(
        error, commands.CommandInvokeError | commands.HybridCommandError | app_commands.CommandInvokeError
    ):
        error = error.original
    return error


def intents() -> discord.Intents:
    """Only what the bot uses. Message content is privileged: enable it on the developer portal."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    wanted.message_content = True
    wanted.voice_states = True  # who sits in which voice channel, for `join` and spoken replies
    # A 👎 on a reply sends its message to the review inbox; reactions are not privileged intents.
    wanted.guild_reactions = True
    wanted.dm_reactions = True
    return wanted


class ParrotBot(commands.Bot):
    """The discord.py client. The composition root gives it its adapters (`equip`) and the core (`attach`)."""

    chat: DiscordChat
    voice: DiscordVoice
    listening: DiscordListening
    attachments: DiscordAttachments
    inbox: Inbox

    def __init__(self, config: DiscordConfig) -> None:
        shards: dict[str, Any] = {}
        if config.shard_count is not None:
            shards = {"shard_count": config.shard_count, "shard_ids": list(config.shard_ids) or None}
        super().__init__(
            command_prefix=config.prefix,
            intents=intents(),
            help_command=None,  # `help` is a catalogued command answered by the core
            case_insensitive=True,
            allowed_mentions=NO_PINGS,
            guild_ready_timeout=config.guild_ready_timeout,
            chunk_guilds_at_startup=False,
            **shards,
        )
        self.config = config
        self.owner_ids: set[int] = set(config.owner_ids)

    def equip(
        self,
        *,
        chat: DiscordChat,
        voice: DiscordVoice,
        attachments: DiscordAttachments,
        listening: DiscordListening | None = None,
    ) -> None:
        """The adapters the application speaks through; they need this client, hence given after it exists."""
        self.chat = chat
        self.voice = voice
        self.listening = listening or DiscordListening(self, voice, chat, self.config.listening)
        self.listening.owner_ids = self.owner_ids  # completed at login, like the Inbox's
        self.attachments = attachments
        self.inbox = Inbox(
            chat,
            attachments,
            self.owner_ids,
            prefix=self.config.prefix,
            expensive_cooldown_seconds=self.config.expensive_cooldown_seconds,
        )

    def attach(self, sink: CommandSink) -> None:
        """Give the bot its bus. The bus is built from the bot's outputs, hence after the bot."""
        self.inbox.attach(sink)
        # What members say in a voice channel Parrot listens to reaches the core as commands too.
        self.listening.attach(self.inbox.handle)

    # -- start-up -------------------------------------------------------------------------------

    async def login(self, token: str) -> None:
        point_at(self.config.api_base, self.config.gateway_url)
        if self.config.voice_ca_file is not None:
            # Made here, inside the running loop, as aiohttp requires.
            self.http.connector = connector_trusting(self.config.voice_ca_file)
        await super().login(token)

    async def setup_hook(self) -> None:
        # login() fetched the application: its owner (or team) may use the owner-only commands.
        application = self.application
        if application is not None:
            if application.team is not None:
                self.owner_ids.update(member.id for member in application.team.members)
            else:
                self.owner_ids.add(application.owner.id)
        await load_cogs(self, self.inbox)
        # "Teach me" buttons sent before a restart still open their form.
        self.add_dynamic_items(TeachButton)

    async def on_ready(self) -> None:
        log.info("connected to discord", user_id=self.user.id if self.user else None, guilds=len(self.guilds))

    # -- input ----------------------------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        # Our own messages come back over the gateway; other bots could make us talk in loops.
        if message.author.bot or message.type not in _CHAT_MESSAGE_TYPES:
            return
        if not message.content and not message.attachments:
            return  # stickers, embeds only: nothing to answer
        ctx = await self.get_context(message)
        if ctx.command is not None:
            await self.invoke(ctx)  # a catalogued command: its cog builds the command, cooldown and arguments apply
            return
        # Plain text, audio, or an unknown command: the core's parser decides, the core answers.
        await self.inbox.handle(parse_message(self.inbox.message(message), self.config.prefix))

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        # Raw: the reply need not be in discord.py's cache. Only a member's 👎 (any skin tone) on our own message.
        me = self.user
        if me is None or payload.message_author_id != me.id or payload.user_id == me.id:
            return
        if payload.member is not None and payload.member.bot:
            return
        if not (payload.emoji.name or "").startswith(THUMBS_DOWN):
            return
        message = to_reaction_message(payload, owner_ids=frozenset(self.owner_ids))
        await self.inbox.handle(RateReply(message, reply_id=MessageId(payload.message_id)))

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        # Raw: the message need not be in discord.py's cache. Work done for it (a transcript) is then dropped.
        self.chat.message_deleted(payload.message_id)

    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        for message_id in payload.message_ids:
            self.chat.message_deleted(message_id)

    async def close(self) -> None:
        await self.listening.close()
        pending = self.inbox.in_flight - {asyncio.current_task()}
        if pending and not self.is_closed():
            # Commands under way answer before the HTTP session closes (discord.py also leaves voice here).
            log.info("waiting for commands under way", count=len(pending))
            await asyncio.wait(pending, timeout=self.config.shutdown_grace_seconds)
        await super().close()

    # -- errors ---------------------------------------------------------------------------------

    async def on_command_error(self, ctx: "commands.Context[ParrotBot]", error: commands.CommandError) -> None:  # type: ignore[override]
        command = ctx.command.qualified_name if ctx.command is not None else ""
        text = explain(error, prefix=self.config.prefix, command=command, typed=ctx.invoked_with or "")
        if text is None:
            log.error("command failed", command=command, exc_info=_cause(error))
            text = APOLOGY
        else:
            log.info("command refused", command=command, reason=type(error).__name__)
        try:
            await ctx.reply(text, ephemeral=True, allowed_mentions=NO_PINGS)
        except discord.HTTPException as failure:
            log.warning("could not tell the user about an error", status=failure.status)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        log.exception("discord event handler failed", event=event_method)


class ShardedParrotBot(ParrotBot, commands.AutoShardedBot):
    """The same bot over several gateway connections (its `shard_ids` of `shard_count`), as large bots run.

    Each process of a sharded bot receives the events of its shards' guilds only, so a guild's space is
    written by the one process whose shard holds that guild.
    """


def make_bot(config: DiscordConfig) -> ParrotBot:
    return ShardedParrotBot(config) if config.shard_count is not None else ParrotBot(config)
