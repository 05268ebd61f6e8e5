"""Sending text that may be longer than one chat message."""

from collections.abc import Sequence

from application.ports.chat import ChatOutput
from domain.chat_text import split_for_chat
from domain.ids import ChannelId, MessageId
from domain.messages import OutgoingFile, ReplyAction
from domain.text import Text

# Past this many chat messages, a text goes as a file: a wall of messages helps nobody.
MAX_PARTS = 4
# A text sent as a file shows this much of its beginning inline, so the gist is readable without opening it.
PREVIEW_CHARS = 500
# What a text sent as a file says about it, in the language of the text (`{filename}`, `{chars}` filled in).
FILE_NOTE = "(the full text is attached as {filename}: {chars} characters)"
FILE_NOTE_RU = "(полный текст во вложении {filename}: {chars} симв.)"


async def send_long_text(
    chat: ChatOutput,
    channel_id: ChannelId,
    text: Text | str,
    *,
    reply_to: MessageId | None,
    filename: str = "reply.txt",
    intro: str = "",
    max_parts: int = MAX_PARTS,
    actions: Sequence[ReplyAction] = (),
    file_text: str | None = None,
    file_note: str = FILE_NOTE,
) -> MessageId:
    """Send `text` split on word boundaries, or as a .txt file when it would take more than `max_parts` messages.

    With `max_parts` 1, a text longer than one message goes as a file with its first lines shown inline.
    The file holds `file_text` when given (words as they were said, without the chat's escapes), else the text.
    """
    limit = chat.max_message_length
    text = chat.render(text)
    whole = f"{intro}{text}"
    if len(whole) <= limit:
        return await chat.send_text(channel_id, whole, reply_to=reply_to, actions=actions)
    parts = split_for_chat(whole, limit)
    if len(parts) > max_parts:
        note = file_note.format(filename=filename, chars=len(text))
        if max_parts == 1:
            note = f"{intro}{first_lines(text, min(PREVIEW_CHARS, limit - len(intro) - len(note) - 2))}\n{note}"
        else:
            note = f"{intro}{note}".strip()
        return await chat.send_file(
            channel_id,
            OutgoingFile(filename, (text if file_text is None else file_text).encode("utf-8")),
            text=note[:limit],
            reply_to=reply_to,
        )
    first = await chat.send_text(channel_id, parts[0], reply_to=reply_to, actions=actions)
    for part in parts[1:]:
        await chat.send_text(channel_id, part)
    return first


def first_lines(text: str, budget: int) -> str:
    """The whole lines of `text` that fit in `budget` characters, or its first words when no line does, with "…"."""
    shown = ""
    for line in text.splitlines():
        candidate = f"{shown}\n{line}" if shown else line
        if len(candidate) + 1 > budget:
            break
        shown = candidate
    if not shown:
        cut = text[: max(budget - 1, 0)]
        shown = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return shown + "…"
