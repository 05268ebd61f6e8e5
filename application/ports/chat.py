"""Outbound effects a user sees, implemented by whichever driver runs (Discord, local chat, fakes)."""

from typing import Protocol, runtime_checkable

from domain.ids import ChannelId, GuildId, MessageId
from domain.messages import Attachment, OutgoingFile, Status
from domain.speech import EncodedAudio


@runtime_checkable
class ChatOutput(Protocol):
    async def send_text(self, channel_id: ChannelId, text: str, *, reply_to: MessageId | None = None) -> MessageId:
        """Send `text` (at most `max_message_length` characters). User text in it must never ping anyone."""
        ...

    async def send_file(
        self,
        channel_id: ChannelId,
        file: OutgoingFile,
        *,
        text: str = "",
        reply_to: MessageId | None = None,
    ) -> MessageId: ...

    async def edit_text(self, channel_id: ChannelId, message_id: MessageId, text: str) -> None: ...

    async def set_status(self, channel_id: ChannelId, message_id: MessageId, status: Status) -> None:
        """Show that a user's message is being worked on, done or failed (Discord: a reaction)."""
        ...


@runtime_checkable
class VoiceOutput(Protocol):
    async def join(self, guild_id: GuildId, channel_id: ChannelId) -> None: ...

    async def leave(self, guild_id: GuildId) -> bool:
        """Leave the guild's voice channel; False when the bot was not in one."""
        ...

    def connected_channel(self, guild_id: GuildId) -> ChannelId | None: ...

    async def play(self, guild_id: GuildId, audio: EncodedAudio) -> None:
        """Play `audio` in the connected channel and return when it has finished."""
        ...


@runtime_checkable
class AttachmentSource(Protocol):
    async def fetch(self, attachment: Attachment, max_bytes: int) -> bytes:
        """The attachment's bytes; raises TooLarge before or while downloading past `max_bytes`."""
        ...
