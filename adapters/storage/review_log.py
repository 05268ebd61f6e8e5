"""The review inbox's entries as JSON Lines, one file per space, private like the feedback log."""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from adapters.storage.atomic import LineAppender
from adapters.storage.jsonlines import read_records
from adapters.storage.layout import SpaceLayout
from application.ports.review import PENDING, ReviewItem
from domain.ids import ChannelId, UserId
from domain.spaces import Space


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
        "reply": item.reply,
        "state": item.state,
        "answer": item.answer,
        "author_id": item.author_id,
        "rater_id": item.rater_id,
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
        reply=str(record.get("reply") or ""),
        state=str(record.get("state") or PENDING),
        answer=str(record.get("answer") or ""),
        author_id=_user(record.get("author_id")),
        rater_id=_user(record.get("rater_id")),
    )
