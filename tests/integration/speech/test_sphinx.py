"""CMU Sphinx, the light offline fallback: English only, rough but working."""

import pytest

from adapters.audio.codec import PyAvAudioCodec
from adapters.speech.sphinx import SphinxSpeechToText
from domain.errors import BackendUnavailable
from support.shared_data import shared_data

pytestmark = pytest.mark.slow


async def test_sphinx_transcribes_english(codec: PyAvAudioCodec) -> None:
    # The clip SpeechRecognition's own Sphinx test uses; on longer speech Sphinx errs far more than Whisper.
    audio = await codec.decode(shared_data("speech", "en_one_two_three.wav").read_bytes(), "a.wav", 60)
    sphinx = SphinxSpeechToText()
    try:
        transcript = await sphinx.transcribe(audio, None)
    finally:
        sphinx.close()
    assert (transcript.text, transcript.language, transcript.backend) == ("one two three", "en", "sphinx")


async def test_sphinx_refuses_other_languages(codec: PyAvAudioCodec) -> None:
    audio = await codec.decode(shared_data("speech", "ru_s2p_nevazhno.wav").read_bytes(), "ru.wav", 60)
    with pytest.raises(BackendUnavailable, match="only understands English"):
        await SphinxSpeechToText().transcribe(audio, "ru-RU")
