"""A space's settings as the settings page shows them: what is saved, and what applies where nothing is."""

from collections.abc import Sequence
from dataclasses import dataclass

from application.ports.storage import SettingsStore, SpaceSettings
from domain.spaces import Space


@dataclass(frozen=True, slots=True)
class SettingsView:
    saved: SpaceSettings
    default_languages: tuple[str, ...]
    default_keep_starter: bool

    @property
    def languages(self) -> tuple[str, ...]:
        return self.saved.languages or self.default_languages

    @property
    def keep_starter(self) -> bool:
        return self.default_keep_starter if self.saved.keep_starter is None else self.saved.keep_starter


class ServerSettings:
    def __init__(self, settings: SettingsStore, default_languages: Sequence[str], keep_starter: bool = False) -> None:
        self._settings = settings
        self._default_languages = tuple(default_languages)
        self._keep_starter = keep_starter

    async def __call__(self, space: Space) -> SettingsView:
        return SettingsView(await self._settings.load(space), self._default_languages, self._keep_starter)
