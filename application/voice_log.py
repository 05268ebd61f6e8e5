"""Keeping voice chat's transcripts as text, where an admin turned it on (`settings voicelog on`); off by default.

Fed by ReplyProduced: a spoken turn that Parrot answered is kept with its answer (who, when, in which voice
channel, what was heard, what was answered). Turns not meant for Parrot are never kept, and audio never is.
`forget me` removes a member's kept turns (application/handlers/forget_me.py).
"""

from collections.abc import Sequence

from application.messagebus import BusMessage
from application.ports.clock import Clock
from application.ports.storage import SettingsStore, VoiceTranscriptLog
from domain.events import ReplyProduced
from domain.voice_turns import VoiceTurn


class VoiceTranscripts:
    def __init__(self, settings: SettingsStore, log: VoiceTranscriptLog, clock: Clock) -> None:
        self._settings = settings
        self._log = log
        self._clock = clock

    async def on_reply(self, event: ReplyProduced) -> Sequence[BusMessage]:
        message = event.message
        if not message.spoken or message.author_voice_channel_id is None:
            return ()
        if not (await self._settings.load(message.space)).keep_voice_transcripts:
            return ()
        turn = VoiceTurn(
            speaker_id=message.author.id,
            at=message.created_at or self._clock.now(),
            voice_channel_id=message.author_voice_channel_id,
            transcript=message.content,
            answer=event.reply.text,
        )
        await self._log.append_turn(message.space, turn)
        return ()
