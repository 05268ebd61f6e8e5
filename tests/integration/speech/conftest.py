"""Real speech backends, loaded once per test session: the Whisper model alone takes seconds to load."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.audio.codec import PyAvAudioCodec
from adapters.speech.espeak import EspeakTextToSpeech
from adapters.speech.piper import PiperTextToSpeech
from adapters.speech.whisper import WhisperSpeechToText


@pytest.fixture(scope="session")
def whisper_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the Whisper model is assembled once for the session's recognisers."""
    return tmp_path_factory.mktemp("models")


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
def codec() -> PyAvAudioCodec:
    return PyAvAudioCodec()
