"""What arrives from a chat and what goes back to it, free of any platform's types."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.spaces import Space
from domain.text import Text

AUDIO_SUFFIXES = frozenset({".ogg", ".oga", ".opus", ".mp3", ".m4a", ".aac", ".mp4", ".wav", ".flac", ".webm"})


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file attached to a message, by reference: the bytes are fetched through a port, on demand."""

    id: int
    filename: str
    size: int
    content_type: str
    ref: str
    is_voice_message: bool = False

    @property
    def is_audio(self) -> bool:
        if self.is_voice_message or self.content_type.split(";")[0].strip().lower().startswith("audio/"):
            return True
        name = self.filename.lower()
        return any(name.endswith(suffix) for suffix in AUDIO_SUFFIXES)


@dataclass(frozen=True, slots=True)
class Author:
    id: UserId
    name: str
    display_name: str = ""
    is_bot: bool = False
    roles: frozenset[str] = frozenset()
    # Platforms know who may manage a server or owns the bot; the domain only needs the answer.
    can_manage_guild: bool = False
    is_owner: bool = False

    @property
    def shown_name(self) -> str:
        return self.display_name or self.name


@dataclass(frozen=True, slots=True)
class Message:
    id: MessageId
    channel_id: ChannelId
    author: Author
    content: str
    guild_id: GuildId | None = None
    attachments: tuple[Attachment, ...] = ()
    reply_to: MessageId | None = None
    created_at: datetime | None = None
    # The voice channel the author sits in when the message arrives, if any.
    author_voice_channel_id: ChannelId | None = None
    # A turn spoken in `author_voice_channel_id` and heard there: `content` is its transcript, not typed text.
    spoken: bool = False

    @property
    def space(self) -> Space:
        if self.guild_id is not None:
            return Space(guild_id=self.guild_id)
        return Space(guild_id=None, dm_user_id=self.author.id)

    @property
    def audio_attachments(self) -> tuple[Attachment, ...]:
        return tuple(a for a in self.attachments if a.is_audio)


@dataclass(frozen=True, slots=True)
class Reply:
    """A reply the bot produced for a message, as the user saw it."""

    channel_id: ChannelId
    text: str
    in_reply_to: MessageId
    message_id: MessageId | None = None
    confident: bool = True
    intent: str | None = None
    confidence: float | None = None
    # The reply before the chat's markup, for drivers that say it rather than show it (the voice).
    said: Text | str = ""
    # It only names `intent`, which the training data gives no answer: a correction of it is that answer.
    unanswered: bool = False


@dataclass(frozen=True, slots=True)
class OutgoingFile:
    filename: str
    data: bytes = field(repr=False)
    description: str = ""


class Status(Enum):
    """A message's processing state, shown by drivers (Discord: reactions)."""

    WORKING = "working"
    DONE = "done"
    FAILED = "failed"


class ReplyAction(Enum):
    """Something a user can do on a reply where they see it; drivers without such controls ignore it."""

    TEACH = "teach"  # the reply was unsure: Discord shows a "Teach me" button that corrects it like `correct`
