"""Opus to 16 kHz mono PCM, one decoder per speaker (Opus decoders keep state between frames).

PyAV bundles FFmpeg's Opus decoder and its resampler: no system library to install.
"""

import av
import av.error

from adapters.discord.listening.rtp import BadPacket

SAMPLE_RATE = 16_000  # what the recognisers want
FRAME_BYTES = SAMPLE_RATE // 50 * 2  # 20 ms of 16-bit mono


class OpusStream:
    def __init__(self) -> None:
        self._decoder = av.CodecContext.create("opus", "r")
        self._decoder.sample_rate = 48_000
        self._decoder.layout = "stereo"
        self._resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)

    def decode(self, frame: bytes) -> bytes:
        """16-bit little-endian mono PCM for one Opus frame; BadPacket when it does not decode."""
        if not frame:
            raise BadPacket("an empty Opus frame")
        try:
            pcm = bytearray()
            for decoded in self._decoder.decode(av.Packet(frame)):
                for resampled in self._resampler.resample(decoded):
                    pcm += bytes(resampled.planes[0])[: resampled.samples * 2]
            return bytes(pcm)
        except (av.error.FFmpegError, ValueError) as error:
            raise BadPacket(f"Opus that does not decode ({type(error).__name__})") from None
