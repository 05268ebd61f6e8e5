"""A spoken turn kept as text, where an admin chose to keep voice chat's transcripts (`settings voicelog on`)."""

from dataclasses import dataclass
from datetime import datetime

from domain.ids import ChannelId, UserId


@dataclass(frozen=True, slots=True)
class VoiceTurn:
    """Who spoke, when, in which voice channel, what was heard, and what Parrot answered. Never any audio."""

    speaker_id: UserId
    at: datetime
    voice_channel_id: ChannelId
    transcript: str
    answer: str
