"""The review inbox's entries as JSON Lines, one file per space, private like the feedback log.

A reply kept as a `Text` is written twice: `reply_parts`, its typed parts, which the page renders in its own
markup, and `reply`, its plain rendering, which an older reader (or a person) can read.
"""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from adapters.storage.atomic import LineAppender
from adapters.storage.jsonlines import read_records
from adapters.storage.layout import SpaceLayout
from application.ports.review import PENDING, ReviewItem
from domain.ids import ChannelId, MessageId, UserId
from domain.spaces import Space
from domain.text import Aside, ChannelRef, Code, CommandRef, MessageRef, Part, Quote, Replying, Strong, Text


class JsonLinesReviewStore:
    def __init__(self, layout: SpaceLayout, appender: LineAppender) -> None:
        self._layout = layout
        self._appender = appender

    async def load(self, space: Space) -> Sequence[ReviewItem]:
        records = await read_records(self._layout.review(space))
        items: list[ReviewItem] = []
        for record in records:
            try:
                items.append(_item(record))
            except (KeyError, TypeError, ValueError):
                continue  # a record from a newer or broken writer: the inbox shows what it can read
        return items

    async def append(self, space: Space, item: ReviewItem) -> None:
        await self._appender.append(self._layout.review(space), _line(item))

    async def rewrite(self, space: Space, items: Sequence[ReviewItem]) -> None:
        # Through the appender's lock for this file: no append interleaves with the rewrite.
        await self._appender.replace(self._layout.review(space), [_line(item) for item in items])


def _line(item: ReviewItem) -> str:
    record = {
        "text": item.text,
        "intent": item.intent,
        "confidence": item.confidence,
        "channel_id": item.channel_id,
        "at": item.at.isoformat(),
        "reason": item.reason,
        "reply": str(item.reply),
        "reply_parts": reply_parts(item.reply),
        "state": item.state,
        "answer": item.answer,
        "author_id": item.author_id,
        "rater_id": item.rater_id,
        "unanswered": item.unanswered,
    }
    return json.dumps(record, ensure_ascii=False)


def _user(value: Any) -> UserId | None:
    return UserId(int(value)) if value is not None else None


def _item(record: dict[str, Any]) -> ReviewItem:
    return ReviewItem(
        text=str(record["text"]),
        intent=str(record.get("intent") or ""),
        confidence=float(record.get("confidence") or 0.0),
        channel_id=ChannelId(int(record.get("channel_id") or 0)),
        at=datetime.fromisoformat(str(record["at"])),
        reason=str(record.get("reason") or ""),
        reply=reply_from(str(record.get("reply") or ""), record.get("reply_parts")),
        state=str(record.get("state") or PENDING),
        answer=str(record.get("answer") or ""),
        author_id=_user(record.get("author_id")),
        rater_id=_user(record.get("rater_id")),
        unanswered=bool(record.get("unanswered")),
    )


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
