"""PCM -> Ogg/Opus, 48 kHz stereo in 20 ms packets: what a Discord voice connection sends as is.

discord.FFmpegOpusAudio (or any Ogg/Opus reader) can pass these packets through without re-encoding.
"""

import io

import av
import numpy as np

from domain.errors import InvalidAudio
from domain.speech import AudioClip, EncodedAudio

VOICE_RATE = 48_000
_SILENT_PACKET_MS = 20


def encode_ogg_opus(clip: AudioClip, bitrate: int) -> EncodedAudio:
    """Blocking. Raises InvalidAudio for more than two channels."""
    if clip.channels not in (1, 2):
        raise InvalidAudio(f"I can only play mono or stereo sound, not {clip.channels} channels.")
    rate = clip.sample_rate if clip.sample_rate > 0 else VOICE_RATE
    samples = np.frombuffer(clip.pcm, dtype=np.int16)
    frames = samples.size // clip.channels
    if frames == 0:
        # A sentence of punctuation alone synthesises to nothing: play one silent packet rather than
        # fail, so the sentences after it are still spoken.
        frames = rate * _SILENT_PACKET_MS // 1000
        samples = np.zeros(frames * clip.channels, dtype=np.int16)
    layout = "mono" if clip.channels == 1 else "stereo"
    # s16 is packed: one row of interleaved samples.
    source = av.AudioFrame.from_ndarray(samples[: frames * clip.channels].reshape(1, -1), format="s16", layout=layout)
    source.sample_rate = rate
    output = io.BytesIO()
    with av.open(output, mode="w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=VOICE_RATE, layout="stereo")
        stream.bit_rate = bitrate
        resampler = av.AudioResampler(format="s16", layout="stereo", rate=VOICE_RATE)
        for frame in [*resampler.resample(source), *resampler.resample(None), None]:
            for packet in stream.encode(frame):
                container.mux(packet)
    return EncodedAudio(data=output.getvalue(), container="ogg_opus", duration_seconds=frames / rate)
