"""Uploads that are not usable speech are refused with a message the user understands, and leave no file."""

import io
import random
import subprocess
import tempfile
import time
import wave
from pathlib import Path

import av
import imageio_ffmpeg
import pytest

from adapters.audio.codec import PyAvAudioCodec
from domain.errors import InvalidAudio, ParrotError, TooLarge, UnsupportedAudio
from support.shared_data import shared_data

MAX_SECONDS = 600


def ffmpeg(*arguments: str) -> bytes:
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-nostdin", *arguments, "pipe:1"]
    return subprocess.run(command, check=True, capture_output=True, timeout=60).stdout


def clip(name: str) -> bytes:
    return shared_data("speech", name).read_bytes()


def silent_wav(seconds: float) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(16_000)
        writer.writeframes(bytes(int(seconds * 16_000) * 2))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def two_hours_of_silence(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """Two hours of Ogg/Opus silence in about 600 KB: a minute encoded once (120 ms packets, silence sent
    as discontinuous transmission), then its packets looped without re-encoding."""
    minute = tmp_path_factory.mktemp("audio") / "minute.ogg"
    silence = ["-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono", "-t", "60"]
    opus = ["-c:a", "libopus", "-b:a", "6k", "-frame_duration", "120", "-dtx", "1", "-f", "ogg"]
    minute.write_bytes(ffmpeg(*silence, *opus))
    return ffmpeg("-stream_loop", "119", "-i", str(minute), "-c", "copy", "-f", "ogg")


@pytest.fixture(scope="module")
def lying_about_its_length(two_hours_of_silence: bytes) -> bytes:
    """Two chained Ogg streams: the container reports the last one's second, decoding yields two hours."""
    second = ffmpeg("-f", "lavfi", "-i", "anullsrc=r=48000:cl=mono", "-t", "1", "-c:a", "libopus", "-f", "ogg")
    return two_hours_of_silence + second


@pytest.fixture(scope="module")
def video_without_sound() -> bytes:
    picture = ["-f", "lavfi", "-i", "color=c=black:s=32x32:d=0.5", "-c:v", "mpeg4"]
    return ffmpeg(*picture, "-movflags", "frag_keyframe+empty_moov", "-f", "mp4")


@pytest.fixture
def empty_temp_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The temporary folder everything in this process uses, fresh and empty, to prove nothing is left there."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


async def test_empty_audio_is_invalid(codec: PyAvAudioCodec) -> None:
    with pytest.raises(InvalidAudio, match="is empty"):
        await codec.decode(b"", "voice-message.ogg", MAX_SECONDS)


async def test_random_bytes_named_as_audio_are_invalid(codec: PyAvAudioCodec) -> None:
    noise = random.Random(7).randbytes(8192)
    with pytest.raises(InvalidAudio, match="damaged or is not really audio"):
        await codec.decode(noise, "voice-message.ogg", MAX_SECONDS)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (random.Random(8).randbytes(4096), "notes.bin"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "picture.png"),
        (b"#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n", "playlist.m3u8"),
    ],
)
async def test_files_that_are_not_audio_are_unsupported(codec: PyAvAudioCodec, data: bytes, name: str) -> None:
    with pytest.raises(UnsupportedAudio, match="Ogg/Opus, MP3, M4A/AAC, WAV, FLAC or WebM"):
        await codec.decode(data, name, MAX_SECONDS)


async def test_a_video_without_sound_is_unsupported(codec: PyAvAudioCodec, video_without_sound: bytes) -> None:
    with pytest.raises(UnsupportedAudio, match="no sound track"):
        await codec.decode(video_without_sound, "clip.mp4", MAX_SECONDS)


@pytest.mark.parametrize(
    ("name", "kept"),
    [("en_jfk.ogg", 0.01), ("en_jfk.flac", 0.5), ("en_jfk.m4a", 0.5), ("en_jfk.flac", 0.01)],
)
async def test_files_cut_short_are_invalid(codec: PyAvAudioCodec, name: str, kept: float) -> None:
    data = clip(name)
    with pytest.raises(InvalidAudio, match=r"damaged|no sound"):
        await codec.decode(data[: int(len(data) * kept)], name, MAX_SECONDS)


@pytest.mark.parametrize("name", ["en_jfk.ogg", "en_jfk.mp3", "en_one_two_three.wav"])
async def test_streaming_formats_cut_short_decode_up_to_the_cut(codec: PyAvAudioCodec, name: str) -> None:
    # As every player does: Ogg, MP3 and WAV are made to be read as a stream, and what arrived is speech.
    whole = await codec.decode(clip(name), name, MAX_SECONDS)
    data = clip(name)
    half = await codec.decode(data[: len(data) // 2], name, MAX_SECONDS)
    assert 0.3 * whole.duration_seconds < half.duration_seconds < 0.7 * whole.duration_seconds


async def test_silence_is_invalid(codec: PyAvAudioCodec) -> None:
    with pytest.raises(InvalidAudio, match="silent"):
        await codec.decode(silent_wav(3.0), "quiet.wav", MAX_SECONDS)


async def test_a_tiny_file_of_two_hours_is_refused_at_once(codec: PyAvAudioCodec, two_hours_of_silence: bytes) -> None:
    assert len(two_hours_of_silence) < 1_000_000
    started = time.perf_counter()
    with pytest.raises(TooLarge, match="too long: the limit is 10 minutes"):
        await codec.decode(two_hours_of_silence, "long.ogg", MAX_SECONDS)
    assert time.perf_counter() - started < 1.0


async def test_the_length_cap_holds_while_decoding_a_file_that_lies(
    codec: PyAvAudioCodec, lying_about_its_length: bytes
) -> None:
    with av.open(io.BytesIO(lying_about_its_length), mode="r", format="ogg") as container:
        assert container.duration is not None
        assert container.duration / av.time_base < 2  # what the header claims
    started = time.perf_counter()
    with pytest.raises(TooLarge, match="too long"):
        await codec.decode(lying_about_its_length, "chained.ogg", MAX_SECONDS)
    # Decoding stops at the cap (10 minutes, well under a second's work), not after two hours of audio.
    assert time.perf_counter() - started < 5.0


@pytest.mark.parametrize("name", ["en_jfk.ogg", "en_jfk.flac", "en_jfk.mp3", "en_jfk.m4a"])
async def test_a_clip_over_the_cap_is_too_long(codec: PyAvAudioCodec, name: str) -> None:
    with pytest.raises(TooLarge, match="the limit is 5 seconds"):
        await codec.decode(clip(name), name, 5)


async def test_a_file_over_the_size_limit_is_too_large() -> None:
    small_codec = PyAvAudioCodec(max_bytes=10_000)
    with pytest.raises(TooLarge, match=r"The audio file is too large: 45\.3 KB, the limit is 10\.0 KB"):
        await small_codec.decode(clip("en_jfk.ogg"), "en_jfk.ogg", MAX_SECONDS)


async def test_damaged_files_only_ever_raise_refusals(codec: PyAvAudioCodec) -> None:
    rng = random.Random(2024)
    originals = [
        clip(name) for name in ("en_jfk.ogg", "en_jfk.flac", "en_jfk.mp3", "en_jfk.m4a", "en_one_two_three.wav")
    ]
    outcomes: set[str] = set()
    for _ in range(60):
        data = bytearray(rng.choice(originals))
        for _ in range(rng.randint(1, 40)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.3:
            data = data[: rng.randrange(1, len(data))]
        try:
            await codec.decode(bytes(data), "voice.ogg", MAX_SECONDS)
            outcomes.add("decoded")
        except ParrotError as refusal:
            outcomes.add(type(refusal).__name__)
    assert outcomes <= {"decoded", "InvalidAudio", "UnsupportedAudio", "AudioTooLong"}


async def test_no_temporary_file_is_left_behind(
    codec: PyAvAudioCodec, empty_temp_dir: Path, two_hours_of_silence: bytes, video_without_sound: bytes
) -> None:
    bad_inputs = [
        (b"", "a.ogg"),
        (random.Random(1).randbytes(1000), "a.ogg"),
        (clip("en_jfk.flac")[:50_000], "a.flac"),
        (silent_wav(1.0), "a.wav"),
        (two_hours_of_silence, "a.ogg"),
        (video_without_sound, "a.mp4"),
    ]
    for data, name in bad_inputs:
        with pytest.raises(ParrotError):
            await codec.decode(data, name, MAX_SECONDS)
    good = await codec.decode(clip("en_jfk.m4a"), "en_jfk.m4a", MAX_SECONDS)
    await codec.encode_for_voice(good)
    assert list(empty_temp_dir.iterdir()) == []
