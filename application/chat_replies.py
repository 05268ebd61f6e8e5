"""Sending text that may be longer than one chat message."""

from application.ports.chat import ChatOutput
from domain.chat_text import split_for_chat
from domain.ids import ChannelId, MessageId
from domain.messages import OutgoingFile
from domain.text import Text

# Past this many chat messages, a text goes as a file: a wall of messages helps nobody.
MAX_PARTS = 4


async def send_long_text(
    chat: ChatOutput,
    channel_id: ChannelId,
    text: Text | str,
    *,
    reply_to: MessageId | None,
    filename: str = "reply.txt",
    intro: str = "",
    file_text: str | None = None,
) -> MessageId:
    """Send `text` split on word boundaries, or as a .txt file when it would take too many messages.

    The file holds `file_text` when given (words as they were said, without the chat's escapes), else the text.
    """
    limit = chat.max_message_length
    text = chat.render(text)
    whole = f"{intro}{text}"
    if len(whole) <= limit:
        return await chat.send_text(channel_id, whole, reply_to=reply_to)
    parts = split_for_chat(whole, limit)
    if len(parts) > MAX_PARTS:
        note = f"{intro}(the full text is attached: {len(text)} characters)".strip()
        return await chat.send_file(
            channel_id,
            OutgoingFile(filename, (text if file_text is None else file_text).encode("utf-8")),
            text=note[:limit],
            reply_to=reply_to,
        )
    first = await chat.send_text(channel_id, parts[0], reply_to=reply_to)
    for part in parts[1:]:
        await chat.send_text(channel_id, part)
    return first
