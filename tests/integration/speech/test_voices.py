"""Speaking: Piper for English (understood back by Whisper), eSpeak for Russian, Ogg/Opus for voice channels."""

import io

import av
import numpy as np
import pytest

from adapters.audio.codec import PyAvAudioCodec
from adapters.speech.espeak import EspeakTextToSpeech
from adapters.speech.piper import PiperTextToSpeech
from adapters.speech.routing import LanguageRoutingTextToSpeech
from adapters.speech.whisper import WhisperSpeechToText
from domain.errors import BackendUnavailable, InvalidAudio
from domain.speech import AudioClip
from support.wer import word_error_rate

pytestmark = pytest.mark.slow


def peak(clip: AudioClip) -> int:
    return int(np.abs(np.frombuffer(clip.pcm, dtype=np.int16).astype(np.int32)).max())


async def test_piper_speech_is_understood_by_whisper_after_a_trip_through_a_voice_channel(
    piper: PiperTextToSpeech, whisper: WhisperSpeechToText, codec: PyAvAudioCodec
) -> None:
    sentence = "I will send the report to you tomorrow morning."
    spoken = await piper.synthesize(sentence, "en-US")
    assert spoken.sample_rate == 22_050
    assert 1.5 < spoken.duration_seconds < 8
    played = await codec.encode_for_voice(spoken)
    heard = await codec.decode(played.data, "reply.ogg", 60)
    transcript = await whisper.transcribe(heard, "en-US")
    # Piper samples noise, so no two renderings are alike: allow one word in nine to be misheard.
    assert word_error_rate([(sentence, transcript.text)]) <= 0.12, transcript.text


async def test_whisper_also_takes_speech_at_another_rate(
    piper: PiperTextToSpeech, whisper: WhisperSpeechToText
) -> None:
    spoken = await piper.synthesize("Good morning, everyone.", "en")
    transcript = await whisper.transcribe(spoken, "en")  # 22,050 Hz, resampled inside
    assert word_error_rate([("Good morning, everyone.", transcript.text)]) <= 0.34, transcript.text


async def test_piper_speaks_only_its_language(piper: PiperTextToSpeech) -> None:
    with pytest.raises(BackendUnavailable, match="only 'en'"):
        await piper.synthesize("Привет", "ru-RU")


async def test_nothing_to_say_is_an_empty_clip(piper: PiperTextToSpeech, espeak: EspeakTextToSpeech) -> None:
    assert (await piper.synthesize("  ", "en")).pcm == b""
    assert (await espeak.synthesize("", "ru")).pcm == b""


async def test_espeak_speaks_russian(espeak: EspeakTextToSpeech) -> None:
    spoken = await espeak.synthesize("Привет! Какая погода в Москве?", "ru-RU")
    assert spoken.sample_rate == 22_050
    assert spoken.duration_seconds > 1.0
    assert peak(spoken) > 3000


async def test_espeak_refuses_a_language_it_does_not_know(espeak: EspeakTextToSpeech) -> None:
    with pytest.raises(BackendUnavailable, match="no voice for the language 'xx-YY'"):
        await espeak.synthesize("text", "xx-YY")


async def test_the_router_sends_english_to_piper_and_russian_to_espeak(
    piper: PiperTextToSpeech, espeak: EspeakTextToSpeech
) -> None:
    router = LanguageRoutingTextToSpeech({"en": piper}, default=espeak)
    english = await router.synthesize("Hello there.", "en-GB")
    russian = await router.synthesize("Здравствуйте.", "ru-RU")
    assert peak(english) > 3000
    assert peak(russian) > 3000
    assert router.backend_for("en-GB") is piper
    assert router.backend_for("ru-RU") is espeak


async def test_voice_audio_is_ogg_opus_at_48_khz_in_20_ms_packets(
    espeak: EspeakTextToSpeech, codec: PyAvAudioCodec
) -> None:
    spoken = await espeak.synthesize("This is a test of the voice channel.", "en-US")
    played = await codec.encode_for_voice(spoken)
    assert played.container == "ogg_opus"
    assert played.suffix == ".ogg"
    assert played.duration_seconds == pytest.approx(spoken.duration_seconds)
    with av.open(io.BytesIO(played.data), mode="r", format="ogg") as container:
        stream = container.streams.audio[0]
        assert (stream.codec_context.name, stream.rate, stream.channels) == ("opus", 48_000, 2)
        durations = {packet.duration or 0 for packet in container.demux(stream) if packet.size}
    assert max(durations) == 960  # 20 ms at 48 kHz, what a Discord voice connection sends


async def test_nothing_to_play_is_a_moment_of_silence(codec: PyAvAudioCodec) -> None:
    # A sentence of punctuation alone synthesises to no sample; the voice queue must go on.
    played = await codec.encode_for_voice(AudioClip(pcm=b"", sample_rate=22_050))
    assert played.duration_seconds == pytest.approx(0.02)
    with pytest.raises(InvalidAudio, match="silent"):  # valid Ogg/Opus, holding silence
        await codec.decode(played.data, "nothing.ogg", 60)
