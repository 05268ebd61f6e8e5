"""Every shared clip, in every format there, decoded and transcribed by Whisper base."""

import asyncio
import subprocess
import threading
from collections.abc import Iterable, Iterator

import imageio_ffmpeg
import pytest
import structlog

from adapters.audio.codec import PyAvAudioCodec
from adapters.speech import whisper as whisper_module
from adapters.speech.whisper import WhisperSpeechToText
from domain.speech import AudioClip
from support.shared_data import shared_data
from support.wer import character_error_rate, word_error_rate
from tests.integration.speech.clips import speech_clips

pytestmark = pytest.mark.slow

MAX_SECONDS = 600


async def transcribe_all(
    language_prefix: str, codec: PyAvAudioCodec, whisper: WhisperSpeechToText
) -> tuple[list[tuple[str, str]], str]:
    """Transcribes every clip of a language: (reference, transcript) pairs, and a report of what was heard."""
    clips = [clip for clip in speech_clips() if clip.file.startswith(language_prefix)]
    assert {clip.path.suffix for clip in clips} >= ({".wav", ".ogg"} if language_prefix == "ru_" else {".flac", ".ogg"})
    pairs: list[tuple[str, str]] = []
    lines: list[str] = []
    for clip in clips:
        audio = await codec.decode(clip.path.read_bytes(), clip.file, MAX_SECONDS)
        transcript = await whisper.transcribe(audio, clip.language)
        assert transcript.backend == "whisper"
        assert transcript.language == clip.language[:2]
        assert transcript.duration_seconds == pytest.approx(audio.duration_seconds)
        pairs.append((clip.reference, transcript.text))
        lines.append(f"{clip.file}: {transcript.text!r}")
    return pairs, "\n".join(lines)


async def test_english_clips_are_transcribed_with_a_low_word_error_rate(
    codec: PyAvAudioCodec, whisper: WhisperSpeechToText
) -> None:
    pairs, heard = await transcribe_all("en_", codec, whisper)
    assert word_error_rate(pairs) <= 0.10, heard


async def test_russian_clips_are_transcribed_with_a_reasonable_word_error_rate(
    codec: PyAvAudioCodec, whisper: WhisperSpeechToText
) -> None:
    pairs, heard = await transcribe_all("ru_", codec, whisper)
    # Fourteen reference words: "Не важно" heard for "Неважно" alone costs two of them (0.14), so the word
    # bound is loose and the character error rate, which counts that as one space, is checked too.
    assert word_error_rate(pairs) <= 0.35, heard
    assert character_error_rate(pairs) <= 0.10, heard


@pytest.mark.parametrize(("file", "language"), [("en_jfk.ogg", "en"), ("ru_s2p_weather_new_york.ogg", "ru")])
async def test_the_language_is_detected_when_not_given(
    file: str, language: str, codec: PyAvAudioCodec, whisper: WhisperSpeechToText
) -> None:
    clip = next(clip for clip in speech_clips() if clip.file == file)
    audio = await codec.decode(clip.path.read_bytes(), clip.file, MAX_SECONDS)
    transcript = await whisper.transcribe(audio, None)
    assert transcript.language == language
    assert word_error_rate([(clip.reference, transcript.text)]) <= 0.25, transcript.text


@pytest.mark.parametrize(
    ("container", "codec_arguments"),
    [("webm", ["-c:a", "libopus", "-b:a", "32k"]), ("adts", ["-c:a", "aac", "-b:a", "64k"])],
)
async def test_webm_and_raw_aac_uploads_are_understood(
    container: str, codec_arguments: list[str], codec: PyAvAudioCodec, whisper: WhisperSpeechToText
) -> None:
    # Not among the shared clips: what browsers record (WebM/Opus) and bare AAC, converted here.
    source = shared_data("speech", "en_one_two_three.wav")
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(source), *codec_arguments, "-f", container]
    converted = subprocess.run([*command, "pipe:1"], check=True, capture_output=True, timeout=60).stdout
    audio = await codec.decode(converted, f"upload.{container}", MAX_SECONDS)
    transcript = await whisper.transcribe(audio, "en-US")
    assert word_error_rate([("one two three", transcript.text)]) == 0, transcript.text


async def test_no_samples_is_an_empty_transcript(whisper: WhisperSpeechToText) -> None:
    assert (await whisper.transcribe(AudioClip(pcm=b"", sample_rate=16_000), "en-US")).is_empty


async def test_a_transcription_cut_short_stops_hearing_at_its_next_window(
    codec: PyAvAudioCodec,
    whisper: WhisperSpeechToText,
    captured_logs: list[structlog.typing.EventDict],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Its deadline passed: the thread cannot be killed, but it hears no more of the audio than the window at hand.
    once = await codec.decode(shared_data("speech", "en_jfk.ogg").read_bytes(), "en_jfk.ogg", MAX_SECONDS)
    long = AudioClip(once.pcm * 30, once.sample_rate, once.channels)  # five and a half minutes: 11 windows
    heard: list[object] = []
    first_heard, cancelled = threading.Event(), threading.Event()

    def held_after_the_first(segments: Iterable[object]) -> Iterator[object]:
        """Whisper's own segments, each heard when asked for; the first is given only once the caller gave up."""
        for segment in segments:
            heard.append(segment)
            first_heard.set()
            cancelled.wait(60)
            yield segment

    until = whisper_module._until
    monkeypatch.setattr(whisper_module, "_until", lambda stop, segments: until(stop, held_after_the_first(segments)))
    transcribing = asyncio.create_task(whisper.transcribe(long, "en-US"))
    assert await asyncio.to_thread(first_heard.wait, 120)  # the first window is heard: the rest is to come
    transcribing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await transcribing
    cancelled.set()
    async with asyncio.timeout(60):
        while not (stopped := [entry for entry in captured_logs if entry["event"] == "speech.transcription_stopped"]):
            await asyncio.sleep(0.05)
    assert stopped[0]["segments"] == 1 and len(heard) == 1  # not one window more of the ten left
    monkeypatch.undo()
    assert "fellow americans" in (await whisper.transcribe(once, "en-US")).text.lower()  # the thread is free
