"""discord.py objects in, domain values out. Nothing past this module sees a discord type."""

from collections.abc import Iterable
from datetime import UTC, datetime

import discord

from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.messages import Attachment, Author, Message


def attachment_ref(channel_id: int, message_id: int, attachment_id: int) -> str:
    """What the domain keeps to ask for an attachment's bytes later: ids only, never a URL."""
    return f"discord:{channel_id}/{message_id}/{attachment_id}"


def parse_attachment_ref(ref: str) -> tuple[int, int, int]:
    """The ids in `attachment_ref`'s output; ValueError for anything else."""
    scheme, _, rest = ref.partition(":")
    parts = rest.split("/")
    if scheme != "discord" or len(parts) != 3 or not all(part.isdigit() for part in parts):
        raise ValueError(f"not a Discord attachment reference: {ref[:80]!r}")
    channel_id, message_id, attachment_id = (int(part) for part in parts)
    return channel_id, message_id, attachment_id


def to_attachment(
    attachment: discord.Attachment, *, channel_id: int, message_id: int, voice_message: bool = False
) -> Attachment:
    return Attachment(
        id=attachment.id,
        filename=attachment.filename,
        size=attachment.size,
        content_type=attachment.content_type or "",
        ref=attachment_ref(channel_id, message_id, attachment.id),
        is_voice_message=voice_message,
    )


def to_author(user: discord.User | discord.Member, *, owner_ids: frozenset[int]) -> Author:
    if isinstance(user, discord.Member):
        return Author(
            id=UserId(user.id),
            name=user.name,
            display_name=user.display_name,
            is_bot=user.bot,
            roles=frozenset(role.name for role in user.roles if not role.is_default()),
            can_manage_guild=user.guild_permissions.manage_guild,
            is_owner=user.id in owner_ids,
        )
    return Author(
        id=UserId(user.id),
        name=user.name,
        display_name=user.display_name,
        is_bot=user.bot,
        is_owner=user.id in owner_ids,
    )


def voice_channel_of(user: discord.User | discord.Member) -> ChannelId | None:
    if isinstance(user, discord.Member) and user.voice is not None and user.voice.channel is not None:
        return ChannelId(user.voice.channel.id)
    return None


def to_message(message: discord.Message, *, owner_ids: frozenset[int]) -> Message:
    """A chat message as the domain sees it: who, where, what, what it answers, which files."""
    reference = message.reference
    reply_to = (
        MessageId(reference.message_id)
        if reference is not None
        and reference.message_id is not None
        and reference.type is discord.MessageReferenceType.reply
        else None
    )
    voice = message.flags.voice
    return Message(
        id=MessageId(message.id),
        channel_id=ChannelId(message.channel.id),
        author=to_author(message.author, owner_ids=owner_ids),
        content=message.content,
        guild_id=GuildId(message.guild.id) if message.guild is not None else None,
        attachments=tuple(
            to_attachment(a, channel_id=message.channel.id, message_id=message.id, voice_message=voice)
            for a in message.attachments
        ),
        reply_to=reply_to,
        created_at=message.created_at,
        author_voice_channel_id=voice_channel_of(message.author),
    )


def to_reaction_message(payload: discord.RawReactionActionEvent, *, owner_ids: frozenset[int]) -> Message:
    """A reaction as the domain sees it: who reacted, where; it has no text, and the reacted-to message is the reply."""
    if payload.member is not None:
        author = to_author(payload.member, owner_ids=owner_ids)
    else:
        # In direct messages Discord sends only the user's id; the name is not needed to record a rating.
        author = Author(id=UserId(payload.user_id), name=str(payload.user_id), is_owner=payload.user_id in owner_ids)
    return Message(
        id=MessageId(payload.message_id),
        channel_id=ChannelId(payload.channel_id),
        author=author,
        content="",
        guild_id=GuildId(payload.guild_id) if payload.guild_id is not None else None,
        reply_to=MessageId(payload.message_id),
        created_at=datetime.now(UTC),
    )


def to_interaction_message(
    interaction: discord.Interaction,
    content: str,
    attachments: Iterable[discord.Attachment],
    *,
    owner_ids: frozenset[int],
) -> Message:
    """A slash command as the domain sees it: the interaction's id stands for the message's."""
    channel_id = interaction.channel_id or 0
    return Message(
        id=MessageId(interaction.id),
        channel_id=ChannelId(channel_id),
        author=to_author(interaction.user, owner_ids=owner_ids),
        content=content,
        guild_id=GuildId(interaction.guild_id) if interaction.guild_id is not None else None,
        attachments=tuple(to_attachment(a, channel_id=channel_id, message_id=interaction.id) for a in attachments),
        created_at=interaction.created_at,
        author_voice_channel_id=voice_channel_of(interaction.user),
    )
