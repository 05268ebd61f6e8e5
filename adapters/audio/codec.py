"""The AudioCodec port: uploads in, PCM out; PCM in, voice-ready Ogg/Opus (or WAV to be heard) out.

Work runs in threads, except wrapping PCM in WAV, which only copies it.
"""

import asyncio
import functools
from concurrent.futures import Executor

from adapters.audio.decoder import decode_speech
from adapters.audio.encoder import encode_ogg_opus
from adapters.audio.wav import encode_wav
from domain.errors import TooLarge
from domain.speech import AudioClip, EncodedAudio

DEFAULT_MAX_BYTES = 25 * 1024 * 1024  # Discord's own upload limit for most servers
# A peak at or below -50 dBFS is inaudible: nothing worth sending to a recogniser.
DEFAULT_SILENCE_PEAK = 100


class PyAvAudioCodec:
    """Decodes and encodes with PyAV (FFmpeg's libraries), in memory, off the event loop.

    `executor` is the thread pool to share with the speech backends; None uses the loop's default.
    """

    def __init__(
        self,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        voice_bitrate: int = 64_000,
        silence_peak: int = DEFAULT_SILENCE_PEAK,
        executor: Executor | None = None,
    ) -> None:
        self._max_bytes = max_bytes
        self._voice_bitrate = voice_bitrate
        self._silence_peak = silence_peak
        self._executor = executor

    async def decode(self, data: bytes, filename: str, max_seconds: float) -> AudioClip:
        if len(data) > self._max_bytes:
            raise TooLarge("The audio file", len(data), self._max_bytes)
        work = functools.partial(decode_speech, data, filename, max_seconds, self._silence_peak)
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    async def encode_for_voice(self, clip: AudioClip) -> EncodedAudio:
        work = functools.partial(encode_ogg_opus, clip, self._voice_bitrate)
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    async def encode_for_hearing(self, clip: AudioClip) -> EncodedAudio:
        return encode_wav(clip)
