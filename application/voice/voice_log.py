"""Keeping voice chat's transcripts as text, where an admin turned it on (`settings voicelog on`); off by default.

Fed by ReplyProduced: a spoken turn that Parrot answered is kept with its answer (who, when, in which voice
channel, what was heard, what was answered). Turns not meant for Parrot are never kept, and audio never is.
`forget me` removes a member's kept turns with their other records (MemberRecords, application/privacy/forget_me.py).
A spoken turn is answered beside its channel's other messages (it is `heavy`), so one heard before `forget me` may
reach `on_reply` after it answered: the time of each member's last forget is kept (ForgetRequests, with the
records), and a turn heard before it is dropped.
"""

from collections.abc import Sequence

from application.messagebus import BusMessage
from application.ports.clock import Clock
from application.ports.storage import ForgetRequests, SettingsStore, VoiceTranscriptLog
from domain.events import ReplyProduced
from domain.voice_turns import VoiceTurn


class VoiceTranscripts:
    def __init__(
        self, settings: SettingsStore, log: VoiceTranscriptLog, clock: Clock, forgotten: ForgetRequests
    ) -> None:
        self._settings = settings
        self._log = log
        self._clock = clock
        self._forgotten = forgotten

    async def on_reply(self, event: ReplyProduced) -> Sequence[BusMessage]:
        message = event.message
        if not message.spoken or message.author_voice_channel_id is None:
            return ()
        if not (await self._settings.load(message.space)).keep_voice_transcripts:
            return ()
        heard = message.created_at or self._clock.now()
        forgotten = await self._forgotten.last(message.space, message.author.id)
        if forgotten is not None and heard <= forgotten:
            return ()  # heard before its speaker's `forget me`: that asked for it to be gone too
        turn = VoiceTurn(
            speaker_id=message.author.id,
            at=heard,
            voice_channel_id=message.author_voice_channel_id,
            transcript=message.content,
            answer=event.reply.text,
        )
        await self._log.append_turn(message.space, turn)
        if await self._forgotten.last(message.space, message.author.id) != forgotten:
            # A `forget me` came between the check and the append, and its deletion may have run before the
            # append: what they said goes again (it asked for that).
            await self._log.forget_speaker(message.space, message.author.id)
        return ()
