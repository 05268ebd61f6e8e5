"""Spoken turns kept as text (`settings voicelog on`), as JSON Lines, one private file per space.

Bounded like the review inbox: past twice `per_space` lines the file is rewritten atomically with its newest
`per_space`, so it never grows past that, and reading it for the data page stays cheap.
"""

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
    def __init__(self, layout: SpaceLayout, appender: LineAppender, per_space: int = 1000) -> None:
        self._layout = layout
        self._appender = appender
        self._per_space = per_space
        self._lines: dict[Space, int] = {}  # lines in each space's file, counted once, to know when to compact

    async def append_turn(self, space: Space, turn: VoiceTurn) -> None:
        path = self._layout.voice_turns(space)
        if space not in self._lines:
            self._lines[space] = await self._appender.count(path)
        await self._appender.append(path, _line(turn))
        if space not in self._lines:
            return  # a `forget_speaker` rewrote the file meanwhile: counted again at the next turn
        self._lines[space] += 1
        if self._lines[space] > 2 * self._per_space:
            # The oldest turns go: the file is a window on recent talk, not an archive.
            self._lines[space] = await self._appender.keep_last(path, self._per_space)

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
        theirs = 0

        def spoken_by(line: str) -> bool:
            nonlocal theirs
            try:
                record = json.loads(line)
            except ValueError:
                # A line torn by a crash cannot be told apart: it goes too, it may be theirs, but it is not counted
                # as one of their turns.
                return True
            if isinstance(record, dict) and str(record.get("speaker_id")) == str(speaker_id):
                theirs += 1
                return True
            return False

        await self._appender.remove(self._layout.voice_turns(space), spoken_by)
        self._lines.pop(space, None)  # counted again at the next turn
        return theirs


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
