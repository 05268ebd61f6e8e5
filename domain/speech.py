"""Audio and text as the speech use cases see them."""

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class AudioClip:
    """Raw 16-bit little-endian PCM."""

    pcm: bytes = field(repr=False)
    sample_rate: int
    channels: int = 1

    @property
    def duration_seconds(self) -> float:
        frame_bytes = 2 * self.channels
        return len(self.pcm) / frame_bytes / self.sample_rate if self.sample_rate else 0.0


@dataclass(frozen=True, slots=True)
class EncodedAudio:
    """Audio ready for a player: `container` is "ogg_opus" (what Discord plays) or "wav"."""

    data: bytes = field(repr=False)
    container: str
    duration_seconds: float

    @property
    def suffix(self) -> str:
        return {"ogg_opus": ".ogg", "wav": ".wav"}.get(self.container, ".bin")


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    language: str
    duration_seconds: float
    backend: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()


def language_code(tag: str) -> str:
    """`en-US` -> `en`: speech backends want the bare language."""
    return tag.replace("_", "-").split("-")[0].lower()
