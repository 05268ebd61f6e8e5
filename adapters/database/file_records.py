"""The record files Parrot kept before the database, read for the import (adapters/database/file_import.py).

Nothing here writes a record: the one change made is the file store's own cleanup, a half-published model version
a killed publisher left (`remove_leftovers`). The formats are those the file stores wrote until the database replaced
them: per space, `settings.json`; JSON Lines for feedback, corrections (with their retractions), thumbs-downs, the
review inbox and the voice log, one record a line, a line torn by a crash skipped; a folder per model version
(`models/<n>/version.json` beside its artifact); datasets as files under `datasets/`. A record is read as the file
stores read it: what they showed a user is what comes into the database.
"""

import asyncio
import json
import os
import shutil
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import aiofiles
import structlog

from adapters.database.reply_parts import reply_from
from adapters.storage.layout import SpaceLayout
from application.ports.review import PENDING, ReviewItem
from application.ports.storage import DatasetInfo, SpaceSettings
from domain.feedback import Correction, Feedback, ThumbsDown
from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.spaces import Space
from domain.training import ModelVersion
from domain.voice_turns import VoiceTurn

log = structlog.get_logger("parrot.database")

ARTIFACT = "artifact.bin"
METADATA = "version.json"
# A version being published: written in a folder of this name (with the publisher's process id), then renamed.
STAGING = ".staging-"


class FileRecords:
    """One data root's record files, space by space, as domain records."""

    def __init__(self, layout: SpaceLayout) -> None:
        self._layout = layout

    async def settings(self, space: Space) -> SpaceSettings | None:
        """The space's settings, or None when it never saved any."""
        path = self._layout.settings(space)
        if not await asyncio.to_thread(path.is_file):
            return None
        return await asyncio.to_thread(_read_settings, path)

    async def feedback(self, space: Space) -> Sequence[Feedback]:
        records = await read_records(self._layout.feedback(space))
        return [_feedback(record) for record in records if _has(record, "text", "created_at")]

    async def correction_records(self, space: Space) -> Sequence[dict[str, Any]]:
        """The corrections file's records in order, retractions (`{"retracts": ...}`) among them, to be replayed."""
        return await read_records(self._layout.corrections(space))

    async def thumbs_downs(self, space: Space) -> Sequence[ThumbsDown]:
        records = await read_records(self._layout.thumbs_down(space))
        wanted = ("user_text", "author_id", "channel_id", "reply_message_id", "created_at")
        return [_thumbs_down(record) for record in records if _has(record, *wanted)]

    async def review_items(self, space: Space) -> Sequence[ReviewItem]:
        items: list[ReviewItem] = []
        for record in await read_records(self._layout.review(space)):
            try:
                items.append(_review_item(record))
            except (KeyError, TypeError, ValueError):
                continue  # a record from a newer or broken writer: the inbox showed what it could read
        return items

    async def voice_turns(self, space: Space) -> Sequence[VoiceTurn]:
        turns: list[VoiceTurn] = []
        for record in await read_records(self._layout.voice_turns(space)):
            try:
                turns.append(_voice_turn(record))
            except (KeyError, TypeError, ValueError):
                continue
        return turns

    async def model_versions(self, space: Space) -> Sequence[ModelVersion]:
        """The published versions, oldest first. A version a killed publisher left half-written (its staging folder)
        is removed, as the file store removed it on its first look; one a live process is writing is left alone."""
        folder = self._layout.models(space)
        await asyncio.to_thread(remove_leftovers, folder)
        return await asyncio.to_thread(_versions, folder)

    async def datasets(self, space: Space) -> Sequence[DatasetInfo]:
        return await asyncio.to_thread(_datasets, self._layout.datasets(space))


def correction_from_record(record: dict[str, Any]) -> Correction:
    """A record of `corrections.jsonl` that is a correction (not a retraction) as the domain object."""
    reply = record.get("reply_message_id")
    return Correction(
        user_text=str(record["user_text"]),
        bot_reply=str(record.get("bot_reply", "")),
        correction=str(record["correction"]),
        author_id=UserId(int(record.get("author_id") or 0)),
        guild_id=_guild(record),
        channel_id=ChannelId(int(record.get("channel_id") or 0)),
        reply_message_id=MessageId(int(reply)) if reply is not None else None,
        created_at=datetime.fromisoformat(str(record["created_at"])),
        answers_intent=str(record["answers_intent"]) if record.get("answers_intent") else None,
    )


async def read_records(path: Path) -> list[dict[str, Any]]:
    """The JSON objects of a JSON Lines file, in order; a line torn by a crash (or damaged) is skipped and logged."""
    try:
        async with aiofiles.open(path, encoding="utf-8", errors="replace") as handle:
            text = await handle.read()
    except FileNotFoundError:
        return []
    records: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:  # torn, corrupt, or a number too long to convert
            log.warning("skipped a torn or corrupt record", path=path.name, line=number)
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def remove_leftovers(folder: Path) -> list[str]:
    """Remove staging folders whose process is gone (killed while publishing); the names removed."""
    if not folder.is_dir():
        return []
    removed = []
    for entry in folder.iterdir():
        if entry.name.startswith(STAGING) and entry.is_dir() and not _publisher_alive(entry.name):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
    return removed


def _publisher_alive(name: str) -> bool:
    pid = name.removeprefix(STAGING).split("-", 1)[0]
    if not pid.isdigit():
        return False  # an older name without the process id
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _read_settings(path: Path) -> SpaceSettings:
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError, json.JSONDecodeError):
        raw = {}
    if not isinstance(raw, dict):
        raw = {}
    dataset = raw.get("active_dataset")
    model = raw.get("active_model")
    language = raw.get("language")
    languages = raw.get("languages")
    keep_starter = raw.get("keep_starter")
    return SpaceSettings(
        active_dataset=dataset if isinstance(dataset, str) else None,
        active_model=model if isinstance(model, int) and not isinstance(model, bool) else None,
        language=language if isinstance(language, str) else None,
        transcribe_voice=raw.get("transcribe_voice") is not False,
        spoken_replies=raw.get("spoken_replies") is not False,
        languages=tuple(code for code in languages if isinstance(code, str)) if isinstance(languages, list) else (),
        keep_starter=keep_starter if isinstance(keep_starter, bool) else None,
        listening_opted_out=frozenset(_user_ids(raw.get("listening_opted_out"))),
        # Only a deliberate `true` keeps transcripts: a damaged file must not start keeping them.
        keep_voice_transcripts=raw.get("keep_voice_transcripts") is True,
    )


def _user_ids(value: Any) -> list[UserId]:
    if not isinstance(value, list):
        return []
    return [UserId(item) for item in value if isinstance(item, int) and not isinstance(item, bool)]


def _has(record: dict[str, Any], *keys: str) -> bool:
    return all(key in record for key in keys)


def _guild(record: dict[str, Any]) -> GuildId | None:
    return GuildId(int(record["guild_id"])) if record.get("guild_id") is not None else None


def _user(value: Any) -> UserId | None:
    return UserId(int(value)) if value is not None else None


def _feedback(record: dict[str, Any]) -> Feedback:
    return Feedback(
        text=str(record["text"]),
        author_id=UserId(int(record.get("author_id") or 0)),
        author_name=str(record.get("author_name", "")),
        guild_id=_guild(record),
        channel_id=ChannelId(int(record.get("channel_id") or 0)),
        created_at=datetime.fromisoformat(str(record["created_at"])),
    )


def _thumbs_down(record: dict[str, Any]) -> ThumbsDown:
    return ThumbsDown(
        user_text=str(record["user_text"]),
        bot_reply=str(record.get("bot_reply", "")),
        intent=str(record.get("intent") or ""),
        confidence=float(record.get("confidence") or 0.0),
        author_id=UserId(int(record["author_id"])),
        asker_id=_user(record.get("asker_id")),
        guild_id=_guild(record),
        channel_id=ChannelId(int(record["channel_id"])),
        reply_message_id=MessageId(int(record["reply_message_id"])),
        created_at=datetime.fromisoformat(str(record["created_at"])),
    )


def _review_item(record: dict[str, Any]) -> ReviewItem:
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


def _voice_turn(record: dict[str, Any]) -> VoiceTurn:
    return VoiceTurn(
        speaker_id=UserId(int(record["speaker_id"])),
        at=datetime.fromisoformat(str(record["at"])),
        voice_channel_id=ChannelId(int(record.get("voice_channel_id") or 0)),
        transcript=str(record["transcript"]),
        answer=str(record.get("answer") or ""),
    )


def _versions(folder: Path) -> list[ModelVersion]:
    if not folder.is_dir():
        return []
    numbers = [int(entry.name) for entry in folder.iterdir() if entry.name.isdigit() and (entry / METADATA).is_file()]
    versions = []
    for number in sorted(numbers):
        try:
            versions.append(_version(json.loads((folder / str(number) / METADATA).read_text("utf-8"))))
        except (ValueError, KeyError, TypeError):
            continue  # a damaged version was never offered; it is not imported either
    return versions


def _version(record: dict[str, Any]) -> ModelVersion:
    return ModelVersion(
        number=int(record["number"]),
        backend=str(record["backend"]),
        dataset_name=str(record["dataset_name"]),
        dataset_hash=str(record["dataset_hash"]),
        created_at=datetime.fromisoformat(str(record["created_at"])),
        example_count=int(record["example_count"]),
        intents=tuple(str(i) for i in record["intents"]),
        metrics={str(k): float(v) for k, v in dict(record.get("metrics", {})).items()},
    )


def _datasets(folder: Path) -> list[DatasetInfo]:
    if not folder.is_dir():
        return []
    return [
        DatasetInfo(entry.name, entry.stat().st_size)
        for entry in sorted(folder.iterdir())
        if entry.is_file() and not entry.is_symlink() and not entry.name.startswith(".")
    ]
