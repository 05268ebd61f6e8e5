"""Outbound effects a user sees, implemented by whichever driver runs (Discord, local chat, fakes)."""

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.messages import Attachment, OutgoingFile, ReplyAction, Status
from domain.speech import EncodedAudio
from domain.text import Text


class MessageGone(Exception):
    """The message to edit no longer exists (someone deleted it); whoever edits tells the user another way."""


@runtime_checkable
class ChatOutput(Protocol):
    """A chat renders the core's `Text` in its own markup; the core never writes markup or knows the limits."""

    @property
    def max_message_length(self) -> int:
        """The most characters one message may hold (Discord: 2,000)."""
        ...

    def render(self, text: Text | str) -> str:
        """`text` as this chat shows it; the core measures and splits long replies after rendering."""
        ...

    async def send_text(
        self,
        channel_id: ChannelId,
        text: Text | str,
        *,
        reply_to: MessageId | None = None,
        actions: Sequence[ReplyAction] = (),
    ) -> MessageId:
        """Send `text`, split when longer than one message. User text in it must never ping anyone.

        `actions` are offered on the reply where the chat has controls for them (Discord: buttons); others ignore them.
        """
        ...

    async def send_file(
        self,
        channel_id: ChannelId,
        file: OutgoingFile,
        *,
        text: Text | str = "",
        reply_to: MessageId | None = None,
    ) -> MessageId: ...

    async def edit_text(self, channel_id: ChannelId, message_id: MessageId, text: Text | str) -> None:
        """Replace a message's text; raises MessageGone when the message was deleted."""
        ...

    def is_gone(self, channel_id: ChannelId, message_id: MessageId) -> bool:
        """Whether the message is known to be deleted, so that work done for it is dropped, not posted."""
        ...

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

    def spoken(self, text: Text | str, language: str) -> str:
        """`text` as this voice says it: commands with the prefix in words, no markup (ChatOutput.render writes it)."""
        ...


@runtime_checkable
class AttachmentSource(Protocol):
    async def fetch(self, attachment: Attachment, max_bytes: int) -> bytes:
        """The attachment's bytes; raises TooLarge before or while downloading past `max_bytes`."""
        ...


@runtime_checkable
class VoiceListening(Protocol):
    """Hearing a voice channel (a driver's, since only it sees the packets); off until turned on."""

    def listening_channel(self, guild_id: GuildId) -> ChannelId | None: ...

    async def start(
        self,
        guild_id: GuildId,
        voice_channel_id: ChannelId,
        text_channel_id: ChannelId,
        opted_out: frozenset[UserId] = frozenset(),
    ) -> bool:
        """Join (undeafened) and listen; transcripts and answers go to the voice channel's own text chat, or to the
        channel configured for them (`listen.transcript_channel_id`). `text_channel_id` is where `listen on` was typed.

        `opted_out` (the members who opted out, as saved) replaces what the driver knew of the guild's opt-outs.
        True when the driver shows that it listens by itself (a nickname marker); else the caller's notice must.
        """
        ...

    async def stop(self, guild_id: GuildId) -> bool:
        """Stop listening; False when it was not."""
        ...

    async def set_opted_out(self, guild_id: GuildId, user_id: UserId, opted_out: bool) -> None:
        """An opted-out member's audio is dropped before it is decrypted."""
        ...

    async def turn_ended(self, guild_id: GuildId, turn: MessageId) -> bool:
        """For a turn heard tentatively (`HearUtterance.tentative`, `turn` its message id): True once the member is
        known to have finished with that audio, False when they went on speaking (a later turn holds it all)."""
        ...
