"""Which language a space speaks: its own setting, else the configured one for its guild, else the default.

`settings languages` gives a space the languages it hears: one is heard (and spoken) as that language,
several are detected among.
"""

from collections.abc import Mapping

from application.ports.storage import SettingsStore
from domain.spaces import Space


class SpeechLanguages:
    def __init__(self, settings: SettingsStore, default: str, by_guild: Mapping[int, str], detect: bool) -> None:
        self._settings = settings
        self._default = default
        self._by_guild = dict(by_guild)
        self._detect = detect

    async def spoken(self, space: Space) -> str:
        """The language replies are spoken in (a tag such as `en-US`)."""
        settings = await self._settings.load(space)
        if settings.language:
            return settings.language
        if len(settings.languages) == 1:
            return settings.languages[0]
        if space.guild_id is not None and int(space.guild_id) in self._by_guild:
            return self._by_guild[int(space.guild_id)]
        return self._default

    async def heard(self, space: Space) -> str | None:
        """The language to recognise, or None to let the recogniser detect it."""
        if self._detect:
            return None
        settings = await self._settings.load(space)
        if not settings.language and len(settings.languages) > 1:
            return None
        return await self.spoken(space)
