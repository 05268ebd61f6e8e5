"""Feedback, corrections and thumbs-downs as JSON Lines, one file each per space."""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from adapters.storage.atomic import LineAppender
from adapters.storage.jsonlines import read_records
from adapters.storage.layout import SpaceLayout
from application.ports.storage import Forgotten
from domain.dataset_rules import normalise_text
from domain.feedback import Correction, Feedback, ThumbsDown
from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.spaces import Space


class JsonLinesFeedbackLog:
    def __init__(self, layout: SpaceLayout, appender: LineAppender) -> None:
        self._layout = layout
        self._appender = appender

    async def append_feedback(self, space: Space, feedback: Feedback) -> None:
        record = {
            "text": feedback.text,
            "author_id": feedback.author_id,
            "author_name": feedback.author_name,
            "guild_id": feedback.guild_id,
            "channel_id": feedback.channel_id,
            "created_at": feedback.created_at.isoformat(),
        }
        await self._appender.append(self._layout.feedback(space), json.dumps(record, ensure_ascii=False))

    async def list_feedback(self, space: Space, limit: int) -> Sequence[Feedback]:
        records = await read_records(self._layout.feedback(space))
        return [_feedback(record) for record in records[-limit:] if _has(record, "text", "created_at")]

    async def append_correction(self, space: Space, correction: Correction) -> None:
        record = {
            "user_text": correction.user_text,
            "bot_reply": correction.bot_reply,
            "correction": correction.correction,
            "author_id": correction.author_id,
            "guild_id": correction.guild_id,
            "channel_id": correction.channel_id,
            "reply_message_id": correction.reply_message_id,
            "created_at": correction.created_at.isoformat(),
        }
        if correction.answers_intent is not None:
            record["answers_intent"] = correction.answers_intent
        await self._appender.append(self._layout.corrections(space), json.dumps(record, ensure_ascii=False))

    async def append_thumbs_down(self, space: Space, rating: ThumbsDown) -> None:
        record = {
            "user_text": rating.user_text,
            "bot_reply": rating.bot_reply,
            "intent": rating.intent,
            "confidence": rating.confidence,
            "author_id": rating.author_id,
            "asker_id": rating.asker_id,
            "guild_id": rating.guild_id,
            "channel_id": rating.channel_id,
            "reply_message_id": rating.reply_message_id,
            "created_at": rating.created_at.isoformat(),
        }
        await self._appender.append(self._layout.thumbs_down(space), json.dumps(record, ensure_ascii=False))

    async def list_thumbs_down(self, space: Space, limit: int) -> Sequence[ThumbsDown]:
        records = await read_records(self._layout.thumbs_down(space))
        wanted = ("user_text", "author_id", "channel_id", "reply_message_id", "created_at")
        return [_thumbs_down(record) for record in records if _has(record, *wanted)][-limit:]

    async def list_corrections(self, space: Space) -> Sequence[Correction]:
        records = await read_records(self._layout.corrections(space))
        corrections: list[Correction] = []
        for record in records:
            if _has(record, "retracts"):
                # A retraction withdraws what came before it; the withdrawn lines stay in the file.
                key = normalise_text(str(record["retracts"]))
                corrections = [c for c in corrections if normalise_text(c.user_text) != key]
            elif _has(record, "user_text", "correction", "created_at"):
                corrections.append(correction_from_record(record))
        return corrections

    async def retract_correction(self, space: Space, user_text: str, at: datetime) -> None:
        record = {"retracts": user_text, "created_at": at.isoformat()}
        await self._appender.append(self._layout.corrections(space), json.dumps(record, ensure_ascii=False))

    async def forget_author(self, space: Space, author_id: UserId) -> Forgotten:
        def written_by_author(line: str) -> bool:
            try:
                record = json.loads(line)
            except ValueError:
                # A line torn by a crash cannot be read back, nor told apart: it goes too, it may be theirs.
                return True
            # A thumbs-down is theirs whether they gave it or wrote the message it was about.
            return isinstance(record, dict) and str(author_id) in (
                str(record.get("author_id")),
                str(record.get("asker_id")),
            )

        feedback = await self._appender.remove(self._layout.feedback(space), written_by_author)
        corrections = await self._appender.remove(self._layout.corrections(space), written_by_author)
        thumbs_down = await self._appender.remove(self._layout.thumbs_down(space), written_by_author)
        return Forgotten(feedback=feedback, corrections=corrections, thumbs_down=thumbs_down)


def _has(record: dict[str, Any], *keys: str) -> bool:
    return all(key in record for key in keys)


def _feedback(record: dict[str, Any]) -> Feedback:
    return Feedback(
        text=str(record["text"]),
        author_id=UserId(int(record.get("author_id") or 0)),
        author_name=str(record.get("author_name", "")),
        guild_id=GuildId(int(record["guild_id"])) if record.get("guild_id") is not None else None,
        channel_id=ChannelId(int(record.get("channel_id") or 0)),
        created_at=datetime.fromisoformat(str(record["created_at"])),
    )


def correction_from_record(record: dict[str, Any]) -> Correction:
    """A line of `corrections.jsonl` that is a correction (not a retraction) as the domain object."""
    reply = record.get("reply_message_id")
    return Correction(
        user_text=str(record["user_text"]),
        bot_reply=str(record.get("bot_reply", "")),
        correction=str(record["correction"]),
        author_id=UserId(int(record.get("author_id") or 0)),
        guild_id=GuildId(int(record["guild_id"])) if record.get("guild_id") is not None else None,
        channel_id=ChannelId(int(record.get("channel_id") or 0)),
        reply_message_id=MessageId(int(reply)) if reply is not None else None,
        created_at=datetime.fromisoformat(str(record["created_at"])),
        answers_intent=str(record["answers_intent"]) if record.get("answers_intent") else None,
    )


def _thumbs_down(record: dict[str, Any]) -> ThumbsDown:
    asker = record.get("asker_id")
    return ThumbsDown(
        user_text=str(record["user_text"]),
        bot_reply=str(record.get("bot_reply", "")),
        intent=str(record.get("intent") or ""),
        confidence=float(record.get("confidence") or 0.0),
        author_id=UserId(int(record["author_id"])),
        asker_id=UserId(int(asker)) if asker is not None else None,
        guild_id=GuildId(int(record["guild_id"])) if record.get("guild_id") is not None else None,
        channel_id=ChannelId(int(record["channel_id"])),
        reply_message_id=MessageId(int(record["reply_message_id"])),
        created_at=datetime.fromisoformat(str(record["created_at"])),
    )
