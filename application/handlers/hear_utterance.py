"""A member's spoken turn: hear it in the server's languages, check the wake name, then answer it as typed.

Recognition goes through the speech port, as voice messages do (the work port will take it over). Nothing
is stored: the transcript is posted, the answer posted and spoken, and the audio forgotten.
"""

from collections.abc import Sequence
from dataclasses import replace

import structlog

from application.deadlines import within
from application.languages import SpeechLanguages
from application.messagebus import BusMessage
from application.ports.chat import ChatOutput
from application.ports.speech import SpeechToText
from application.voice_sessions import VoiceSessions
from application.wake_name import addressed
from application.work_gate import WorkGate
from domain.commands import HearUtterance, InterruptSpeech, ReplyToMessage
from domain.text import Quote, say

log = structlog.get_logger("parrot.listening")


class HearUtteranceHandler:
    def __init__(
        self,
        chat: ChatOutput,
        stt: SpeechToText,
        languages: SpeechLanguages,
        gate: WorkGate,
        wake_name: str,
        hearing_seconds: float = 180.0,
    ) -> None:
        self._chat = chat
        self._stt = stt
        self._languages = languages
        self._gate = gate
        self._wake_name = wake_name
        self._hearing_seconds = hearing_seconds

    async def __call__(self, command: HearUtterance) -> Sequence[BusMessage]:
        message = command.message
        language = await self._languages.heard(message.space)
        among = await self._languages.detected_among(message.space) if language is None else ()
        async with self._gate.slot():
            hearing = self._stt.transcribe(command.audio, language, among)
            transcript = await within(self._hearing_seconds, hearing, "Hearing")
        said = transcript.text.strip()
        if not said:
            return ()
        question = addressed(said, self._wake_name)
        if question is None:
            if command.people_present > 1:
                # Others are in the channel and Parrot was not called: it was not meant for Parrot.
                log.info("turn not addressed to me", guild_id=message.guild_id, seconds=command.audio.duration_seconds)
                return ()
            question = said
        # The speaker's name and words are theirs: quoted, so neither can carry markup or a link.
        shown = say("🎙️ ", Quote(message.author.shown_name, 80), ": ", Quote(said))
        posted = await self._chat.send_text(message.channel_id, shown)
        if not question:
            return ()  # only the name was said
        spoken = replace(message, id=posted, content=question)
        return [ReplyToMessage(spoken, text=question)]


class InterruptSpeechHandler:
    def __init__(self, sessions: VoiceSessions) -> None:
        self._sessions = sessions

    async def __call__(self, command: InterruptSpeech) -> Sequence[BusMessage]:
        if command.message.guild_id is not None:
            self._sessions.interrupt(command.message.guild_id)
        return ()
