"""The speech adapter's wiring: the recogniser and the voice are chosen by configuration; models load on first use."""

from collections.abc import Mapping, Sequence
from pathlib import Path

import structlog
from dependency_injector import containers, providers

from adapters.config.settings import SpeechSettings
from adapters.resources import opened
from adapters.speech.espeak import EspeakTextToSpeech
from adapters.speech.fallback import FallbackSpeechToText
from adapters.speech.festival import FestivalTextToSpeech, festival_missing
from adapters.speech.google import GOOGLE_SPEECH_ENDPOINT, GoogleSpeechToText
from adapters.speech.gtts import GttsTextToSpeech
from adapters.speech.piper import PiperTextToSpeech
from adapters.speech.routing import LanguageRoutingTextToSpeech
from adapters.speech.sphinx import SphinxSpeechToText
from adapters.speech.whisper import WhisperSpeechToText
from application.ports.speech import SpeechToText, TextToSpeech

log = structlog.get_logger(__name__)


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


def unmet_requirement(speech: SpeechSettings) -> str | None:
    """What the configured voice needs and this machine lacks, for start-up to stop on (None: nothing).

    Only Festival is checked: it is the one voice not installed from PyPI with Parrot.
    """
    missing = festival_missing() if speech.tts == "festival" else None
    return f'speech.tts = "festival", but {missing}' if missing is not None else None


def russian_voice(festival: TextToSpeech, espeak: TextToSpeech) -> TextToSpeech:
    """Festival where it and its Russian voice are installed (far clearer: bench/speech.py), else eSpeak NG."""
    missing = festival_missing()
    if missing is None:
        return festival
    log.info("Russian is spoken by eSpeak NG: Festival is not installed", reason=missing)
    return espeak


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
    # Its process starts on warm-up or on the first Russian sentence, not here.
    festival = providers.Resource(opened, providers.Factory(FestivalTextToSpeech))
    gtts = providers.Resource(
        opened,
        providers.Factory(
            GttsTextToSpeech, endpoint=config.provided.gtts_endpoint, timeout=config.provided.timeout_seconds
        ),
    )
    tts = providers.Selector(
        config.provided.tts,
        auto=providers.Singleton(
            LanguageRoutingTextToSpeech,
            routes=providers.Dict(en=piper, ru=providers.Callable(russian_voice, festival=festival, espeak=espeak)),
            default=espeak,
        ),
        piper=piper,
        espeak=espeak,
        festival=festival,
        gtts=gtts,
    )
