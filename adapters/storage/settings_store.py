"""Each space's settings as one small JSON file, replaced atomically.

Other processes may change the file (`parrot train` beside the bot, several shards): it is read from disk on
every load, never cached, and every change is a read-modify-write under the space's lock.
"""

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from adapters.storage.atomic import write_atomic_sync
from adapters.storage.layout import SpaceLayout
from adapters.storage.space_lock import space_locked
from application.ports.storage import SpaceSettings
from domain.ids import UserId
from domain.spaces import Space

SettingsChange = Callable[[SpaceSettings], SpaceSettings]


class JsonSettingsStore:
    def __init__(self, layout: SpaceLayout) -> None:
        self._layout = layout

    async def load(self, space: Space) -> SpaceSettings:
        # A file of a hundred bytes: reading it each time costs less than a wrong answer from a stale copy.
        return await asyncio.to_thread(read_settings, self._layout.settings(space))

    async def save(self, space: Space, settings: SpaceSettings) -> None:
        await self.update(space, lambda _: settings)

    async def update(self, space: Space, change: SettingsChange) -> SpaceSettings:
        return await asyncio.to_thread(self._update, space, change)

    def _update(self, space: Space, change: SettingsChange) -> SpaceSettings:
        with space_locked(self._layout.space(space)):
            return update_settings_locked(self._layout.settings(space), change)


def read_settings(path: Path) -> SpaceSettings:
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
    opted_out = raw.get("listening_opted_out")
    return SpaceSettings(
        active_dataset=dataset if isinstance(dataset, str) else None,
        active_model=model if isinstance(model, int) and not isinstance(model, bool) else None,
        language=language if isinstance(language, str) else None,
        transcribe_voice=raw.get("transcribe_voice") is not False,
        spoken_replies=raw.get("spoken_replies") is not False,
        languages=tuple(code for code in languages if isinstance(code, str)) if isinstance(languages, list) else (),
        keep_starter=keep_starter if isinstance(keep_starter, bool) else None,
        listening_opted_out=frozenset(_user_ids(opted_out)),
        # Only a deliberate `true` keeps transcripts: a damaged file must not start keeping them.
        keep_voice_transcripts=raw.get("keep_voice_transcripts") is True,
    )


def _user_ids(value: Any) -> list[UserId]:
    if not isinstance(value, list):
        return []
    return [UserId(item) for item in value if isinstance(item, int) and not isinstance(item, bool)]


def update_settings_locked(path: Path, change: SettingsChange) -> SpaceSettings:
    """Read, change and write the settings; the caller holds the space's lock (see `space_locked`)."""
    settings = change(read_settings(path))
    record = {
        "active_dataset": settings.active_dataset,
        "active_model": settings.active_model,
        "language": settings.language,
        "transcribe_voice": settings.transcribe_voice,
        "spoken_replies": settings.spoken_replies,
        "languages": list(settings.languages),
        "keep_starter": settings.keep_starter,
        "listening_opted_out": sorted(settings.listening_opted_out),
        "keep_voice_transcripts": settings.keep_voice_transcripts,
    }
    write_atomic_sync(path, json.dumps(record, indent=2).encode("utf-8"))
    return settings
