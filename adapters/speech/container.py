"""The speech adapter's wiring: the recogniser and the voice are chosen by configuration; models load on first use."""

from collections.abc import Mapping, Sequence
from pathlib import Path

from dependency_injector import containers, providers

from adapters.config.settings import SpeechSettings
from adapters.resources import opened
from adapters.speech.espeak import EspeakTextToSpeech
from adapters.speech.fallback import FallbackSpeechToText
from adapters.speech.google import GOOGLE_SPEECH_ENDPOINT, GoogleSpeechToText
from adapters.speech.gtts import GttsTextToSpeech
from adapters.speech.piper import PiperTextToSpeech
from adapters.speech.routing import LanguageRoutingTextToSpeech
from adapters.speech.sphinx import SphinxSpeechToText
from adapters.speech.whisper import WhisperSpeechToText
from application.ports.speech import SpeechToText


def chain_recognisers(names: Sequence[str], found: Mapping[str, SpeechToText]) -> SpeechToText:
    """The configured recogniser, or a chain that falls back to the next when one fails."""
    unique = list(dict.fromkeys(names))
    if len(unique) == 1:
        return found[unique[0]]
    return FallbackSpeechToText([found[name] for name in unique])


def recogniser_names(speech: SpeechSettings) -> list[str]:
    return [speech.stt, *speech.stt_fallback]


def google_endpoint(speech: SpeechSettings) -> str:
    return speech.google_endpoint or GOOGLE_SPEECH_ENDPOINT


class SpeechContainer(containers.DeclarativeContainer):
    config = providers.Dependency(instance_of=SpeechSettings)
    # One copy of the speech models per machine, wherever the data root is (see ParrotSettings.speech_cache_dir).
    cache_dir = providers.Dependency(instance_of=Path)

    whisper = providers.Resource(
        opened,
        providers.Factory(
            WhisperSpeechToText,
            model_cache_dir=cache_dir,
            languages=config.provided.languages,
        ),
    )
    sphinx = providers.Resource(opened, providers.Factory(SphinxSpeechToText))
    google = providers.Resource(
        opened,
        providers.Factory(
            GoogleSpeechToText,
            endpoint=providers.Callable(google_endpoint, config),
            api_key=config.provided.google_api_key.call(),
            timeout=config.provided.timeout_seconds,
            default_language=config.provided.language,
        ),
    )
    recognisers = providers.Dict(whisper=whisper, sphinx=sphinx, google=google)
    stt = providers.Singleton(chain_recognisers, names=providers.Callable(recogniser_names, config), found=recognisers)
    piper = providers.Resource(opened, providers.Factory(PiperTextToSpeech))
    espeak = providers.Resource(opened, providers.Factory(EspeakTextToSpeech))
    gtts = providers.Resource(
        opened,
        providers.Factory(
            GttsTextToSpeech, endpoint=config.provided.gtts_endpoint, timeout=config.provided.timeout_seconds
        ),
    )
    tts = providers.Selector(
        config.provided.tts,
        auto=providers.Singleton(LanguageRoutingTextToSpeech, routes=providers.Dict(en=piper), default=espeak),
        piper=piper,
        espeak=espeak,
        gtts=gtts,
    )
