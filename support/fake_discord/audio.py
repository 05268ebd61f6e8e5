"""Audio helpers for voice tests: make a test tone as Ogg/Opus, decode the Opus frames the bot sent, measure them."""

import io
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

import av
import imageio_ffmpeg
import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 48_000
# The frame discord.py sends five of when a source ends; it carries no sound.
OPUS_SILENCE = b"\xf8\xff\xfe"
# discord.py sends an Ogg stream's header packets as frames too; a listener's decoder drops them.
OGG_OPUS_HEADERS = (b"OpusHead", b"OpusTags")


def make_tone_ogg(seconds: float = 1.0, frequency: float = 440.0, volume: float = 0.5) -> bytes:
    """A sine tone encoded as Ogg/Opus by the bundled ffmpeg binary."""
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency={frequency}:duration={seconds}:sample_rate={SAMPLE_RATE}",
        "-af",
        f"volume={volume}",
        "-c:a",
        "libopus",
        "-b:a",
        "64k",
        "-f",
        "ogg",
        "pipe:1",
    ]
    return subprocess.run(command, check=True, capture_output=True, timeout=30).stdout


@dataclass(frozen=True, slots=True)
class Sound:
    seconds: float
    rms_dbfs: float
    dominant_hz: float


def decode_opus(frames: Sequence[bytes]) -> npt.NDArray[np.float32]:
    """Decode Opus frames (48 kHz) to mono float samples in [-1, 1]; silence and header frames are skipped."""
    decoder = av.CodecContext.create("opus", "r")
    decoder.sample_rate = SAMPLE_RATE
    decoder.layout = "stereo"
    chunks: list[npt.NDArray[np.float32]] = []
    for frame in frames:
        if frame == OPUS_SILENCE or frame.startswith(OGG_OPUS_HEADERS):
            continue
        for decoded in decoder.decode(av.Packet(frame)):
            samples = decoded.to_ndarray().astype(np.float32)
            if samples.dtype.kind == "i":  # pragma: no cover - integer formats are scaled to [-1, 1]
                samples /= 32768.0
            # Planar formats come as (channels, samples); packed ones as (1, samples * channels).
            if samples.shape[0] == 1 and decoded.format.is_packed and len(decoded.layout.channels) > 1:
                samples = samples.reshape(-1, len(decoded.layout.channels)).T
            chunks.append(samples.mean(axis=0))
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(chunks)


def measure(samples: npt.NDArray[np.float32]) -> Sound:
    if samples.size == 0:
        return Sound(0.0, float("-inf"), 0.0)
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    frequencies = np.fft.rfftfreq(samples.size, 1 / SAMPLE_RATE)
    return Sound(
        seconds=samples.size / SAMPLE_RATE,
        rms_dbfs=20 * float(np.log10(rms)) if rms > 0 else float("-inf"),
        dominant_hz=float(frequencies[int(np.argmax(spectrum))]),
    )


def decode_ogg(data: bytes) -> npt.NDArray[np.float32]:
    """Decode an Ogg/Opus file the same way as the frames the bot sent, for a like-for-like reference."""
    with av.open(io.BytesIO(data), mode="r") as container:
        packets = [bytes(packet) for packet in container.demux(audio=0) if packet.size]
    return decode_opus(packets)


def opus_frames(path: str, seconds: float | None = None) -> list[bytes]:
    """A clip as the 20 ms Opus frames a Discord client sends (encoded by the bundled ffmpeg, 48 kHz)."""
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", path]
    if seconds is not None:
        command += ["-t", str(seconds)]
    command += ["-ar", str(SAMPLE_RATE), "-ac", "2", "-c:a", "libopus", "-b:a", "64k", "-frame_duration", "20"]
    command += ["-f", "ogg", "pipe:1"]
    data = subprocess.run(command, check=True, capture_output=True, timeout=60).stdout
    with av.open(io.BytesIO(data), mode="r") as container:
        return [bytes(packet) for packet in container.demux(audio=0) if packet.size]
