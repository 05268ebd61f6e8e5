"""Containers recognised by their first bytes, whatever the file is called."""

import pytest

from adapters.audio.errors import AudioTooLong, format_duration
from adapters.audio.formats import sniff_container
from domain.errors import TooLarge


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"OggS\x00\x02" + bytes(20), "ogg"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "wav"),
        (b"fLaC\x00\x00\x00\x22", "flac"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00", "mp4"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81", "matroska"),
        (b"\xff\xfb\x90\x64\x00", "mp3"),
        (b"\xff\xf1\x50\x80\x02", "aac"),
        (b"\xff\xf9\x50\x80\x02", "aac"),  # MPEG-2 ADTS
        (b"ID3\x04\x00\x00\x00\x00\x00\x02\x00\x00\xff\xfb\x90\x64", "mp3"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x02\x00\x00fLaC\x00\x00", "flac"),
    ],
)
def test_audio_containers_are_recognised(head: bytes, expected: str) -> None:
    assert sniff_container(head) == expected


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"\x89PNG\r\n\x1a\n",
        b"#EXTM3U\n#EXT-X-VERSION:3\nfile:///etc/passwd",  # a playlist must never reach FFmpeg
        b"%PDF-1.7",
        b"hello world",
        b"\xff\xe1",  # an MPEG sync word with layer bits 00 but no ADTS marker: neither MP3 nor AAC
    ],
)
def test_anything_else_is_not_audio(head: bytes) -> None:
    assert sniff_container(head) is None


def test_too_long_is_a_too_large_told_in_minutes() -> None:
    error = AudioTooLong(600)
    assert isinstance(error, TooLarge)
    assert error.user_message == "The audio is too long: the limit is 10 minutes."
    assert format_duration(90) == "1 min 30 s"
    assert format_duration(45) == "45 seconds"
