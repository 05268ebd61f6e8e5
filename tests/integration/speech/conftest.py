"""Real speech backends, loaded once per test session: the Whisper model alone takes seconds to load."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.audio.codec import PyAvAudioCodec
from adapters.config.settings import user_cache_dir
from adapters.speech.espeak import EspeakTextToSpeech
from adapters.speech.festival import FestivalTextToSpeech
from adapters.speech.piper import PiperTextToSpeech
from adapters.speech.whisper import WhisperSpeechToText


@pytest.fixture(scope="session")
def whisper_models() -> Path:
    """Where the Whisper model is assembled once for the session: the session's user cache (tests/conftest.py),
    which every application built with real speech uses too."""
    return user_cache_dir() / "speech"


@pytest.fixture(scope="session")
def whisper(whisper_models: Path) -> Iterator[WhisperSpeechToText]:
    backend = WhisperSpeechToText(whisper_models)
    asyncio.run(backend.warm_up())
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def piper() -> Iterator[PiperTextToSpeech]:
    backend = PiperTextToSpeech()
    asyncio.run(backend.warm_up())
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def espeak() -> Iterator[EspeakTextToSpeech]:
    backend = EspeakTextToSpeech()
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def festival() -> Iterator[FestivalTextToSpeech]:
    """The real Festival process (support/prerequisites.sh installs it): missing, its tests fail, not skip."""
    backend = FestivalTextToSpeech()
    asyncio.run(backend.warm_up())
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def codec() -> PyAvAudioCodec:
    return PyAvAudioCodec()
