"""PCM conversions the speech backends need: the recognisers want 16 kHz mono, gTTS answers in MP3."""

import io

import av
import numpy as np
import numpy.typing as npt

from domain.speech import AudioClip

RECOGNITION_RATE = 16_000


def mono_16k(clip: AudioClip) -> npt.NDArray[np.int16]:
    """The clip as 16 kHz mono 16-bit samples, resampled (with FFmpeg's filter) only when needed."""
    samples = np.frombuffer(clip.pcm, dtype=np.int16)
    if clip.sample_rate == RECOGNITION_RATE and clip.channels == 1:
        return samples
    frames = samples.size // clip.channels
    if frames == 0:
        return np.zeros(0, dtype=np.int16)
    layout = "mono" if clip.channels == 1 else "stereo"
    source = av.AudioFrame.from_ndarray(samples[: frames * clip.channels].reshape(1, -1), format="s16", layout=layout)
    source.sample_rate = clip.sample_rate
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RECOGNITION_RATE)
    converted = [*resampler.resample(source), *resampler.resample(None)]
    return np.concatenate([frame.to_ndarray().reshape(-1) for frame in converted]).astype(np.int16, copy=False)


def mono_16k_float(clip: AudioClip) -> npt.NDArray[np.float32]:
    """Samples in [-1, 1), as Whisper takes them."""
    return mono_16k(clip).astype(np.float32) / 32768.0


def decode_mp3(data: bytes) -> AudioClip:
    """MP3 bytes (a trusted backend's answer, not a user upload) -> mono 16-bit PCM at its own rate."""
    with av.open(io.BytesIO(data), mode="r", format="mp3") as container:
        stream = container.streams.audio[0]
        rate = stream.rate or 24_000
        resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
        chunks = [
            converted.to_ndarray().tobytes()
            for frame in container.decode(stream)
            for converted in resampler.resample(frame)
        ]
        chunks.extend(converted.to_ndarray().tobytes() for converted in resampler.resample(None))
    return AudioClip(pcm=b"".join(chunks), sample_rate=rate, channels=1)
