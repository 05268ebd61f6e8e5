"""Ogg/Opus played as it is: its packets go straight to Discord, with no ffmpeg process in between.

Starting ffmpeg for each sentence costs a process start (tens to hundreds of milliseconds on a busy
machine) before the first packet; the Ogg pages are parsed here instead, by discord.py's own parser.
Parrot's encoder writes 20 ms Opus packets, the frame discord.py sends one of every 20 ms.

Each stream starts with one frame of silence: in an end-to-end encrypted call the first frame a stream
sends goes out without DAVE encryption (seen with davey 0.1.7 and discord.py 2.7), and listeners drop
it; silence is the frame to spare. (ffmpeg's Ogg headers used to take that place.)
"""

import io
import itertools
from collections.abc import Iterator

import discord
from discord.oggparse import OggStream

_HEADERS = (b"OpusHead", b"OpusTags")
OPUS_SILENCE = b"\xf8\xff\xfe"


class OggOpusSource(discord.AudioSource):
    def __init__(self, data: bytes) -> None:
        packets = (packet for packet in OggStream(io.BytesIO(data)).iter_packets() if not packet.startswith(_HEADERS))
        self._packets: Iterator[bytes] = itertools.chain([OPUS_SILENCE], packets)

    def read(self) -> bytes:
        # b"" ends the stream; a malformed page ends it too (discord.py's player would stop on the error).
        try:
            return next(self._packets, b"")
        except discord.DiscordException:
            return b""

    def is_opus(self) -> bool:
        return True
