"""A reply kept as a `Text`: its typed parts as JSON values, which the review page renders in its own markup.

Kept beside the reply's plain rendering, which a reader that does not know a part (an older or a newer Parrot, or a
person reading the record) can still read.
"""

from typing import Any

from domain.ids import ChannelId, MessageId
from domain.text import Aside, ChannelRef, Code, CommandRef, MessageRef, Part, Quote, Replying, Strong, Text


def reply_parts(reply: Text | str) -> list[dict[str, Any]] | None:
    """A `Text`'s typed parts as JSON values (None for a reply kept as a plain string)."""
    if isinstance(reply, str):
        return None
    parts: list[dict[str, Any]] = []
    for part in reply.parts:
        if isinstance(part, str):
            parts.append({"kind": "text", "text": part})
        elif isinstance(part, Code):
            parts.append({"kind": "code", "text": part.text, "limit": part.limit})
        elif isinstance(part, CommandRef):
            parts.append({"kind": "command", "text": part.usage, "limit": part.limit})
        elif isinstance(part, Quote):
            parts.append({"kind": "quote", "text": part.text, "limit": part.limit})
        elif isinstance(part, ChannelRef):
            parts.append({"kind": "channel", "id": int(part.channel_id)})
        elif isinstance(part, Strong):
            parts.append({"kind": "strong", "text": part.text})
        elif isinstance(part, Replying):
            parts.append({"kind": "replying", "text": part.command.usage, "limit": part.command.limit})
        elif isinstance(part, MessageRef):
            parts.append({"kind": "message", "id": int(part.message_id)})
        else:
            parts.append({"kind": "aside", "text": part.text})
    return parts


def _part(record: dict[str, Any]) -> Part:
    kind = record["kind"]
    if kind == "channel":
        return ChannelRef(ChannelId(int(record["id"])))
    if kind == "message":
        return MessageRef(MessageId(int(record["id"])))
    text = str(record["text"])
    if kind == "text":
        return text
    if kind == "code":
        return Code(text, int(record["limit"]))
    if kind == "command":
        return CommandRef(text, int(record["limit"]))
    if kind == "quote":
        return Quote(text, int(record["limit"]))
    if kind == "strong":
        return Strong(text)
    if kind == "replying":
        return Replying(CommandRef(text, int(record["limit"])))
    if kind == "aside":
        return Aside(text)
    raise ValueError(f"unknown part {kind!r}")


def reply_from(plain: str, parts: Any) -> Text | str:
    """The reply from its typed parts, else (none kept, or parts this version does not know) its plain rendering."""
    if not isinstance(parts, list):
        return plain
    try:
        return Text(tuple(_part(part) for part in parts))
    except (KeyError, TypeError, ValueError):
        return plain  # parts this version does not know: the plain rendering still reads
