"""A scripted, in-process stand-in for Discord: it feeds messages to the bus and records all the bot does.

Integration tests and load benchmarks drive the real application through it; nothing here talks to a network.
"""

import asyncio
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from adapters.markdown import discord_markdown
from adapters.spoken_words import spoken_words
from application.chat.command_parser import parse_message
from application.messagebus import MessageBus
from application.ports.chat import MessageGone
from domain.errors import TooLarge
from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.messages import Attachment, Author, Message, OutgoingFile, ReplyAction, Status
from domain.speech import EncodedAudio
from domain.text import Text, render


@dataclass
class SentMessage:
    channel_id: ChannelId
    message_id: MessageId
    text: str
    reply_to: MessageId | None = None
    file: OutgoingFile | None = None
    edits: list[str] = field(default_factory=list)
    actions: tuple[ReplyAction, ...] = ()

    @property
    def current_text(self) -> str:
        return self.edits[-1] if self.edits else self.text


@dataclass(frozen=True, slots=True)
class PlayedAudio:
    guild_id: GuildId
    channel_id: ChannelId
    audio: EncodedAudio


class ScriptedDiscord:
    """Implements ChatOutput, VoiceOutput and AttachmentSource; records everything, rendered as Discord shows it."""

    max_message_length = 2000

    def __init__(self, prefix: str = "!", play_seconds_per_second: float = 0.0) -> None:
        self.prefix = prefix
        self._markdown = discord_markdown(prefix)
        self.sent: list[SentMessage] = []
        self.statuses: list[tuple[MessageId, Status]] = []
        self.played: list[PlayedAudio] = []
        self.voice: dict[GuildId, ChannelId] = {}
        self.fetched: list[str] = []
        self._attachments: dict[str, bytes] = {}
        self._ids = itertools.count(1000)
        self._by_id: dict[MessageId, SentMessage] = {}
        self._bus: MessageBus | None = None
        self._play_speed = play_seconds_per_second
        self.deleted: set[MessageId] = set()  # messages a test deleted: edits fail, work for them is dropped

    def connect(self, bus: MessageBus) -> None:
        self._bus = bus

    # --- what a test does: build and post messages ---------------------------------------------

    def attachment(
        self,
        filename: str,
        data: bytes,
        content_type: str = "",
        *,
        voice_message: bool = False,
        size: int | None = None,
    ) -> Attachment:
        ref = f"fake://{next(self._ids)}/{filename}"
        self._attachments[ref] = data
        return Attachment(
            id=next(self._ids),
            filename=filename,
            size=len(data) if size is None else size,
            content_type=content_type,
            ref=ref,
            is_voice_message=voice_message,
        )

    def message(
        self,
        content: str,
        *,
        author: Author | None = None,
        guild_id: int | None = 1,
        channel_id: int = 10,
        attachments: tuple[Attachment, ...] = (),
        reply_to: MessageId | None = None,
        voice_channel_id: int | None = None,
    ) -> Message:
        return Message(
            id=MessageId(next(self._ids)),
            channel_id=ChannelId(channel_id),
            author=author or member(),
            content=content,
            guild_id=GuildId(guild_id) if guild_id is not None else None,
            attachments=attachments,
            reply_to=reply_to,
            created_at=datetime.now(UTC),
            author_voice_channel_id=ChannelId(voice_channel_id) if voice_channel_id is not None else None,
        )

    async def post(self, message: Message) -> Message:
        """Deliver a message as Discord would: the bot ignores bots, answers everyone else."""
        if self._bus is None:
            raise RuntimeError("connect the fake Discord to a bus first")
        if not message.author.is_bot:
            await self._bus.handle(parse_message(message, self.prefix))
        return message

    async def say(self, content: str, **kwargs: object) -> Message:
        return await self.post(self.message(content, **kwargs))  # type: ignore[arg-type]

    def forget(self) -> None:
        """Drop everything recorded so far (long load runs keep memory flat this way)."""
        self.sent.clear()
        self.statuses.clear()
        self.played.clear()
        self.fetched.clear()
        self._by_id.clear()
        self._attachments.clear()

    # --- what a test reads ---------------------------------------------------------------------

    def replies_to(self, message: Message) -> list[SentMessage]:
        return [sent for sent in self.sent if sent.reply_to == message.id]

    def texts(self, channel_id: int | None = None) -> list[str]:
        return [s.current_text for s in self.sent if channel_id is None or s.channel_id == channel_id]

    @property
    def last(self) -> SentMessage:
        return self.sent[-1]

    # --- ChatOutput ----------------------------------------------------------------------------

    def render(self, text: Text | str) -> str:
        return render(text, self._markdown)

    async def send_text(
        self,
        channel_id: ChannelId,
        text: Text | str,
        *,
        reply_to: MessageId | None = None,
        actions: Sequence[ReplyAction] = (),
    ) -> MessageId:
        sent = SentMessage(channel_id, MessageId(next(self._ids)), self.render(text), reply_to, actions=tuple(actions))
        return self._record(sent)

    async def send_file(
        self, channel_id: ChannelId, file: OutgoingFile, *, text: Text | str = "", reply_to: MessageId | None = None
    ) -> MessageId:
        return self._record(SentMessage(channel_id, MessageId(next(self._ids)), self.render(text), reply_to, file))

    async def edit_text(self, channel_id: ChannelId, message_id: MessageId, text: Text | str) -> None:
        if message_id in self.deleted:
            raise MessageGone(message_id)
        self._by_id[message_id].edits.append(self.render(text))

    def is_gone(self, channel_id: ChannelId, message_id: MessageId) -> bool:
        return message_id in self.deleted

    async def set_status(self, channel_id: ChannelId, message_id: MessageId, status: Status) -> None:
        self.statuses.append((message_id, status))

    def _record(self, sent: SentMessage) -> MessageId:
        self.sent.append(sent)
        self._by_id[sent.message_id] = sent
        return sent.message_id

    # --- VoiceOutput ---------------------------------------------------------------------------

    async def join(self, guild_id: GuildId, channel_id: ChannelId) -> None:
        self.voice[guild_id] = channel_id

    async def leave(self, guild_id: GuildId) -> bool:
        return self.voice.pop(guild_id, None) is not None

    def connected_channel(self, guild_id: GuildId) -> ChannelId | None:
        return self.voice.get(guild_id)

    async def play(self, guild_id: GuildId, audio: EncodedAudio) -> None:
        channel = self.voice.get(guild_id)
        if channel is None:
            raise RuntimeError("play() called while not connected to a voice channel")
        self.played.append(PlayedAudio(guild_id, channel, audio))
        if self._play_speed:
            await asyncio.sleep(audio.duration_seconds * self._play_speed)

    def spoken(self, text: Text | str, language: str) -> str:
        return spoken_words(text, self.prefix, language)

    # --- AttachmentSource ----------------------------------------------------------------------

    async def fetch(self, attachment: Attachment, max_bytes: int) -> bytes:
        if attachment.size > max_bytes:
            raise TooLarge(f"The file `{attachment.filename[:80]}`", attachment.size, max_bytes)
        data = self._attachments[attachment.ref]
        if len(data) > max_bytes:
            raise TooLarge(f"The file `{attachment.filename[:80]}`", len(data), max_bytes)
        self.fetched.append(attachment.ref)
        return data


def member(
    user_id: int = 1,
    name: str = "alice",
    *,
    admin: bool = True,
    roles: frozenset[str] = frozenset(),
    bot: bool = False,
    owner: bool = False,
) -> Author:
    return Author(
        id=UserId(user_id),
        name=name,
        display_name=name.title(),
        is_bot=bot,
        roles=roles,
        can_manage_guild=admin,
        is_owner=owner,
    )
