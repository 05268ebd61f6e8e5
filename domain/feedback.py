"""What users tell us about the bot, kept to improve the model."""

from dataclasses import dataclass
from datetime import datetime

from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.text import Text


@dataclass(frozen=True, slots=True)
class Feedback:
    text: str
    author_id: UserId
    author_name: str
    guild_id: GuildId | None
    channel_id: ChannelId
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Correction:
    """The user message that led to a reply, the reply, and what it should have been."""

    user_text: str
    bot_reply: str
    correction: str
    author_id: UserId
    guild_id: GuildId | None
    channel_id: ChannelId
    reply_message_id: MessageId | None
    created_at: datetime
    # The intent the corrected reply could only name, having no answer: the next training gives it this answer.
    answers_intent: str | None = None


@dataclass(frozen=True, slots=True)
class ThumbsDown:
    """A member disliked a reply: what was asked, what Parrot answered, how sure it was, and who disliked it."""

    user_text: str
    bot_reply: str
    intent: str
    confidence: float
    author_id: UserId  # who gave the thumbs-down
    asker_id: UserId | None  # who wrote the message the reply answered
    guild_id: GuildId | None
    channel_id: ChannelId
    reply_message_id: MessageId
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Exchange:
    """One message the bot answered and its answer, remembered so it can be corrected."""

    user_message_id: MessageId
    user_text: str
    reply_message_id: MessageId | None
    reply_text: str
    channel_id: ChannelId
    confidence: float | None = None
    intent: str | None = None
    author_id: UserId | None = None  # who asked, so `forget me` can forget the exchange
    # False for a turn spoken in voice where the space keeps no voice transcripts: it may not be corrected or
    # rated, since that would write the speaker's words to the feedback log.
    keep_words: bool = True
    # The reply before the chat's markup (`reply_text` is as this chat showed it): the review page shows it in its own.
    said: Text | str = ""
    # The reply only named `intent`, which has no answer: a correction of it is that intent's answer.
    unanswered: bool = False
