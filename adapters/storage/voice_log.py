"""Spoken turns kept as text (`settings voicelog on`), as JSON Lines, one private file per space."""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from adapters.storage.atomic import LineAppender
from adapters.storage.jsonlines import read_records
from adapters.storage.layout import SpaceLayout
from domain.ids import ChannelId, UserId
from domain.spaces import Space
from domain.voice_turns import VoiceTurn


class JsonLinesVoiceLog:
    def __init__(self, layout: SpaceLayout, appender: LineAppender) -> None:
        self._layout = layout
        self._appender = appender

    async def append_turn(self, space: Space, turn: VoiceTurn) -> None:
        await self._appender.append(self._layout.voice_turns(space), _line(turn))

    async def list_turns(self, space: Space, limit: int) -> Sequence[VoiceTurn]:
        if limit <= 0:
            return []
        turns: list[VoiceTurn] = []
        for record in await read_records(self._layout.voice_turns(space)):
            try:
                turns.append(_turn(record))
            except (KeyError, TypeError, ValueError):
                continue  # a record from a newer or broken writer: the rest still reads
        return turns[-limit:]

    async def forget_speaker(self, space: Space, speaker_id: UserId) -> int:
        def spoken_by(line: str) -> bool:
            try:
                record = json.loads(line)
            except ValueError:
                # A line torn by a crash cannot be told apart: it goes too, it may be theirs.
                return True
            return isinstance(record, dict) and str(record.get("speaker_id")) == str(speaker_id)

        return await self._appender.remove(self._layout.voice_turns(space), spoken_by)


def _line(turn: VoiceTurn) -> str:
    record = {
        "speaker_id": turn.speaker_id,
        "at": turn.at.isoformat(),
        "voice_channel_id": turn.voice_channel_id,
        "transcript": turn.transcript,
        "answer": turn.answer,
    }
    return json.dumps(record, ensure_ascii=False)


def _turn(record: dict[str, Any]) -> VoiceTurn:
    return VoiceTurn(
        speaker_id=UserId(int(record["speaker_id"])),
        at=datetime.fromisoformat(str(record["at"])),
        voice_channel_id=ChannelId(int(record.get("voice_channel_id") or 0)),
        transcript=str(record["transcript"]),
        answer=str(record.get("answer") or ""),
    )
