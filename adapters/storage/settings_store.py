"""Each space's settings as one small JSON file, replaced atomically."""

import json
from typing import Any

import aiofiles

from adapters.storage.atomic import write_atomic
from adapters.storage.layout import SpaceLayout
from application.ports.storage import SpaceSettings
from domain.spaces import Space


class JsonSettingsStore:
    def __init__(self, layout: SpaceLayout) -> None:
        self._layout = layout
        self._cache: dict[Space, SpaceSettings] = {}

    async def load(self, space: Space) -> SpaceSettings:
        cached = self._cache.get(space)
        if cached is not None:
            return cached
        try:
            async with aiofiles.open(self._layout.settings(space), encoding="utf-8") as handle:
                raw: Any = json.loads(await handle.read())
        except (FileNotFoundError, json.JSONDecodeError):
            raw = {}
        if not isinstance(raw, dict):
            raw = {}
        dataset = raw.get("active_dataset")
        model = raw.get("active_model")
        language = raw.get("language")
        languages = raw.get("languages")
        keep_starter = raw.get("keep_starter")
        settings = SpaceSettings(
            active_dataset=dataset if isinstance(dataset, str) else None,
            active_model=model if isinstance(model, int) else None,
            language=language if isinstance(language, str) else None,
            transcribe_voice=raw.get("transcribe_voice") is not False,
            spoken_replies=raw.get("spoken_replies") is not False,
            languages=tuple(code for code in languages if isinstance(code, str)) if isinstance(languages, list) else (),
            keep_starter=keep_starter if isinstance(keep_starter, bool) else None,
        )
        self._cache[space] = settings
        return settings

    async def save(self, space: Space, settings: SpaceSettings) -> None:
        record = {
            "active_dataset": settings.active_dataset,
            "active_model": settings.active_model,
            "language": settings.language,
            "transcribe_voice": settings.transcribe_voice,
            "spoken_replies": settings.spoken_replies,
            "languages": list(settings.languages),
            "keep_starter": settings.keep_starter,
        }
        await write_atomic(self._layout.settings(space), json.dumps(record, indent=2).encode("utf-8"))
        self._cache[space] = settings
