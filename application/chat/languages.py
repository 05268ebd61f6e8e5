"""Which language a space speaks: its own setting, else the configured one for its guild, else the default.

Without an override, Parrot hears every language of `speech.languages` (the recogniser detects among them)
and speaks each reply in the language it is written in. `settings languages` gives a space its own list:
one language is heard and spoken as that language, several are detected among.
"""

from collections.abc import Mapping, Sequence

from application.ports.storage import SettingsStore
from domain.scripts import language_of_text
from domain.spaces import Space
from domain.speech import language_code


class SpeechLanguages:
    def __init__(
        self,
        settings: SettingsStore,
        default: str,
        by_guild: Mapping[int, str],
        detect: bool,
        languages: Sequence[str] = (),
    ) -> None:
        self._settings = settings
        self._default = default
        self._by_guild = dict(by_guild)
        self._detect = detect
        self._languages = tuple(dict.fromkeys(language_code(language) for language in languages))

    async def spoken(self, space: Space, text: str = "") -> str:
        """The language a reply is spoken in (a tag such as `en-US`): the space's or guild's, else `text`'s own."""
        configured = await self._configured(space)
        if configured is not None:
            return configured
        languages = await self._heard_languages(space)
        if len(languages) == 1:
            return self._tag(languages[0])
        written = language_of_text(text, languages) if text else None
        return self._tag(written) if written is not None else self._default

    async def spoken_languages(self, space: Space) -> tuple[str, ...]:
        """Every language `spoken` may choose for the space's replies, whatever their text: the voices to ready."""
        configured = await self._configured(space)
        if configured is not None:
            return (configured,)
        languages = await self._heard_languages(space)
        if len(languages) == 1:
            return (self._tag(languages[0]),)
        return tuple(dict.fromkeys([*(self._tag(code) for code in languages), self._default]))

    async def heard(self, space: Space) -> str | None:
        """The language to recognise, or None to let the recogniser detect it (among `speech.languages`)."""
        if self._detect:
            return None
        configured = await self._configured(space)
        if configured is not None:
            return configured
        languages = await self._heard_languages(space)
        if len(languages) > 1:
            return None
        return self._tag(languages[0]) if languages else self._default

    async def detected_among(self, space: Space) -> tuple[str, ...]:
        """The space's own languages to detect among when `heard` is None; empty: the recogniser's own."""
        return (await self._settings.load(space)).languages

    async def _heard_languages(self, space: Space) -> tuple[str, ...]:
        """The space's own `settings languages`, else `speech.languages`."""
        return (await self._settings.load(space)).languages or self._languages

    def _tag(self, code: str) -> str:
        """The default's full tag (`en-US`) for its own language, else the bare code."""
        return self._default if code == language_code(self._default) else code

    async def _configured(self, space: Space) -> str | None:
        own = (await self._settings.load(space)).language
        if own:
            return own
        if space.guild_id is not None and int(space.guild_id) in self._by_guild:
            return self._by_guild[int(space.guild_id)]
        return None
