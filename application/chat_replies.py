"""Sending text that may be longer than one chat message."""

from application.ports.chat import ChatOutput
from domain.chat_text import split_for_chat
from domain.ids import ChannelId, MessageId
from domain.messages import OutgoingFile

# Past this many chat messages, a text goes as a file: a wall of messages helps nobody.
MAX_PARTS = 4


async def send_long_text(
    chat: ChatOutput,
    channel_id: ChannelId,
    text: str,
    *,
    reply_to: MessageId | None,
    limit: int,
    filename: str = "reply.txt",
    intro: str = "",
) -> MessageId:
    """Send `text` split on word boundaries, or as a .txt file when it would take too many messages."""
    whole = f"{intro}{text}"
    if len(whole) <= limit:
        return await chat.send_text(channel_id, whole, reply_to=reply_to)
    parts = split_for_chat(whole, limit)
    if len(parts) > MAX_PARTS:
        note = f"{intro}(the full text is attached: {len(text)} characters)".strip()
        return await chat.send_file(
            channel_id, OutgoingFile(filename, text.encode("utf-8")), text=note[:limit], reply_to=reply_to
        )
    first = await chat.send_text(channel_id, parts[0], reply_to=reply_to)
    for part in parts[1:]:
        await chat.send_text(channel_id, part)
    return first
