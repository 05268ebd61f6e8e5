"""With the default configuration, Parrot hears English and Russian: each clip comes back in its own language."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.audio.codec import PyAvAudioCodec
from adapters.config.settings import ParrotSettings
from adapters.speech.whisper import WhisperSpeechToText
from support.app import AppHarness, build_app
from support.wer import character_error_rate
from tests.integration.speech.clips import Clip, speech_clips

pytestmark = pytest.mark.slow

CYRILLIC = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")


@pytest.fixture(scope="module")
def heard_by_default(whisper_models: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppHarness]:
    """The application with the default speech settings and the real codec and recogniser."""
    data_root = tmp_path_factory.mktemp("data")
    app = build_app(data_root, real_speech=True, speech={"cache_dir": str(whisper_models)})
    yield app
    app.container.shutdown_resources()


def test_the_defaults_hear_english_and_russian() -> None:
    assert ParrotSettings().speech.languages == ("en", "ru")


@pytest.mark.parametrize("clip", speech_clips(), ids=lambda clip: clip.file)
async def test_each_clip_comes_back_in_its_own_language(heard_by_default: AppHarness, clip: Clip) -> None:
    app = heard_by_default
    voice = app.discord.attachment(clip.file, clip.path.read_bytes(), "audio/ogg", voice_message=True)
    message = await app.discord.say("", attachments=(voice,))
    heard = app.discord.replies_to(message)[0].text
    russian = clip.file.startswith("ru_")
    intro = "🎙️ Я услышал: " if russian else "🎙️ I heard: "  # Parrot's own words in the language heard
    assert heard.startswith(intro), heard
    text = heard.removeprefix(intro)
    assert bool(CYRILLIC & set(text.lower())) == russian, text  # not translated
    assert character_error_rate([(clip.reference, text)]) <= 0.25, text


async def test_with_one_language_that_language_is_heard(whisper_models: Path, codec: PyAvAudioCodec) -> None:
    # English speech heard by a recogniser told only Russian: no detection, so Whisper writes Russian.
    clip = next(clip for clip in speech_clips() if clip.file == "en_s2p_weather_new_york.wav")
    audio = await codec.decode(clip.path.read_bytes(), clip.file, 600)
    backend = WhisperSpeechToText(whisper_models, languages=["ru-RU"])
    try:
        transcript = await backend.transcribe(audio, None)
    finally:
        backend.close()
    assert transcript.language == "ru"


async def test_a_spaces_own_languages_are_what_whisper_detects_among(
    whisper_models: Path, codec: PyAvAudioCodec
) -> None:
    # `settings languages ru de`: a recogniser configured for English only still detects among the space's list.
    clip = next(clip for clip in speech_clips() if clip.file.startswith("ru_"))
    audio = await codec.decode(clip.path.read_bytes(), clip.file, 600)
    backend = WhisperSpeechToText(whisper_models, languages=["en"])
    try:
        own = await backend.transcribe(audio, None, among=("ru", "de"))
        configured = await backend.transcribe(audio, None)
    finally:
        backend.close()
    assert own.language == "ru" and CYRILLIC & set(own.text.lower()), own.text
    assert configured.language == "en"
