"""Which container a file really is, read from its first bytes rather than its name.

Only these demuxers are ever handed user files: FFmpeg can also open playlists and other formats that
fetch further URLs or local files, which must never happen for an upload.
"""

# Demuxer names as FFmpeg knows them.
OGG = "ogg"
WAV = "wav"
FLAC = "flac"
MP4 = "mp4"  # M4A, MP4 and 3GP share the ISO media container
MATROSKA = "matroska"  # WebM is Matroska
MP3 = "mp3"
ADTS_AAC = "aac"

SUPPORTED_NAMES = "Ogg/Opus, MP3, M4A/AAC, WAV, FLAC or WebM"

_ID3_HEADER = 10


def sniff_container(data: bytes) -> str | None:
    """The demuxer for `data`, or None when it is none of the audio containers we accept."""
    if data.startswith(b"OggS"):
        return OGG
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return WAV
    if data.startswith(b"fLaC"):
        return FLAC
    if data[4:8] == b"ftyp":
        return MP4
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return MATROSKA
    if data.startswith(b"ID3") and len(data) >= _ID3_HEADER:
        # An ID3 tag may precede MP3 or ADTS audio (or, rarely, FLAC): look behind it.
        size = _ID3_HEADER + _syncsafe(data[6:10]) + (_ID3_HEADER if data[5] & 0x10 else 0)
        return sniff_container(data[size : size + 16]) if len(data) > size else MP3
    return _mpeg_audio(data)


def _mpeg_audio(data: bytes) -> str | None:
    if len(data) < 2 or data[0] != 0xFF or data[1] & 0xE0 != 0xE0:
        return None
    layer = (data[1] >> 1) & 0b11
    if layer == 0:
        # Layer bits 00 under an MPEG sync word mean an ADTS (AAC) header.
        return ADTS_AAC if data[1] & 0xF6 == 0xF0 else None
    return MP3


def _syncsafe(four: bytes) -> int:
    value = 0
    for byte in four:
        value = (value << 7) | (byte & 0x7F)
    return value
