"""One text-to-speech per language, chosen for each reply (as wired: Piper for English, Festival or eSpeak
for Russian, eSpeak for the rest)."""

from collections.abc import Mapping, Sequence

from application.ports.speech import TextToSpeech
from domain.speech import AudioClip, language_code


class LanguageRoutingTextToSpeech:
    """`routes` maps bare language codes ("en") to a backend; any other language goes to `default`."""

    def __init__(self, routes: Mapping[str, TextToSpeech], default: TextToSpeech) -> None:
        self._routes = {language_code(language): backend for language, backend in routes.items()}
        self._default = default
        self.name = "+".join(dict.fromkeys([*(backend.name for backend in self._routes.values()), default.name]))

    def backend_for(self, language: str) -> TextToSpeech:
        return self._routes.get(language_code(language), self._default)

    async def warm_up(self) -> None:
        await self.warm_up_languages(())

    async def warm_up_languages(self, languages: Sequence[str]) -> None:
        """The backends that speak `languages`, each once (empty: every backend), so no other voice is started."""
        chosen = [self.backend_for(language) for language in languages] or [*self._routes.values(), self._default]
        for backend in dict.fromkeys(chosen):
            warm_up = getattr(backend, "warm_up", None)
            if warm_up is not None:
                await warm_up()

    async def synthesize(self, text: str, language: str) -> AudioClip:
        return await self.backend_for(language).synthesize(text, language)
