"""Any accepted upload -> 16 kHz mono 16-bit PCM, the input every speech recogniser here wants.

PyAV (FFmpeg's libraries in process) reads from memory: nothing touches the disk, the input is
seekable (an M4A whose index sits at the end still opens, unlike through a pipe) and the duration
cap is enforced frame by frame, so a small file that decodes to hours costs neither memory nor time.
"""

import io
from collections.abc import Iterable, Iterator
from pathlib import PurePath

import av
import numpy as np

from adapters.audio.errors import AudioTooLong, shown_name
from adapters.audio.formats import SUPPORTED_NAMES, sniff_container
from domain.errors import InvalidAudio, ParrotError, UnsupportedAudio
from domain.messages import AUDIO_SUFFIXES
from domain.speech import AudioClip
from domain.text import Code, say

SPEECH_RATE = 16_000
# Ogg/Opus pre-skip and MP3 padding make a declared duration a little imprecise: only a clear excess
# is refused before decoding; decoding itself then counts every sample.
_DECLARED_SLACK_SECONDS = 1.0


def decode_speech(data: bytes, filename: str, max_seconds: float, silence_peak: int) -> AudioClip:
    """Blocking. Raises InvalidAudio, UnsupportedAudio or AudioTooLong (a TooLarge)."""
    name = shown_name(filename)
    if not data:
        raise InvalidAudio(say(Code(name), " is empty: there is no sound to listen to."))
    container_format = sniff_container(data[:64])
    if container_format is None:
        if PurePath(filename.lower()).suffix in AUDIO_SUFFIXES:
            raise InvalidAudio(say("I couldn't read ", Code(name), ": the file is damaged or is not really audio."))
        raise UnsupportedAudio(say("I can't read ", Code(name), f": please send {SUPPORTED_NAMES} audio."))
    try:
        pcm = _decode(data, container_format, name, max_seconds)
    except ParrotError:
        raise
    except Exception as error:
        # Hostile or damaged input: PyAV raises its FFmpegError family, but also UnicodeDecodeError,
        # ValueError and the like from deep inside; to the user they all mean one thing.
        raise InvalidAudio(say("I couldn't read ", Code(name), ": the file is damaged or cut short.")) from error
    if not pcm:
        raise InvalidAudio(say(Code(name), " holds no sound I could decode."))
    samples = np.frombuffer(pcm, dtype=np.int16)
    if int(np.abs(samples.astype(np.int32)).max()) <= silence_peak:
        raise InvalidAudio(say(Code(name), " is silent: I heard nothing to transcribe."))
    return AudioClip(pcm=pcm, sample_rate=SPEECH_RATE, channels=1)


def _decode(data: bytes, container_format: str, name: str, max_seconds: float) -> bytes:
    max_samples = int(max_seconds * SPEECH_RATE)
    # Tags in broken encodings must not sink a file whose sound is fine.
    with av.open(io.BytesIO(data), mode="r", format=container_format, metadata_errors="replace") as container:
        if not container.streams.audio:
            raise UnsupportedAudio(say(Code(name), " has no sound track."))
        stream = container.streams.audio[0]
        if container.duration is not None and container.duration / av.time_base > max_seconds + _DECLARED_SLACK_SECONDS:
            raise AudioTooLong(max_seconds)
        chunks: list[bytes] = []
        total = 0
        for converted in _speech_frames(container.decode(stream)):
            total += converted.samples
            if total > max_samples:
                raise AudioTooLong(max_seconds)
            chunks.append(converted.to_ndarray().tobytes())
    return b"".join(chunks)


def _speech_frames(frames: Iterable[av.AudioFrame]) -> Iterator[av.AudioFrame]:
    """The frames converted to 16 kHz mono s16, the resampler's tail included."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SPEECH_RATE)
    for frame in frames:
        yield from resampler.resample(frame)
    yield from resampler.resample(None)
