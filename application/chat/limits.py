"""How much a user may ask for at once. Values come from configuration."""

from dataclasses import dataclass

MB = 1_000_000


@dataclass(frozen=True, slots=True)
class RequestLimits:
    attachment_bytes: int = 25 * MB
    audio_seconds: float = 600.0
    dataset_bytes: int = 20 * MB
    file_bytes: int = 8 * MB
    archive_bytes: int = 8 * MB
    archive_entries: int = 1000
    feedback_chars: int = 2000
    heavy_running: int = 2
    heavy_waiting: int = 16
    answer_seconds: float = 15.0
    hearing_seconds: float = 180.0
    corrections_per_member_per_day: int = 50
