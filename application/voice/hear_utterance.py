"""A member's spoken turn: hear it in the server's languages, check the wake name, then answer it as typed.

Hearing goes through the work port, as voice messages do: the bounded queue, its deadlines, and a `parrot worker`
elsewhere if one is configured. The turn's audio is forgotten once heard; its transcript is posted, the answer
posted and spoken. Whether the transcript is also kept as text is the space's choice (application/voice/voice_log.py).
"""

import asyncio
from collections.abc import Sequence
from dataclasses import replace

import structlog

from application.chat.languages import SpeechLanguages
from application.messagebus import BusMessage
from application.ports.chat import ChatOutput, VoiceListening
from application.ports.clock import Clock
from application.ports.speech import AudioCodec
from application.ports.work import TranscribeJob, WorkQueue
from application.voice.sessions import VoiceSessions
from application.voice.wake_name import addressed
from domain.commands import HearUtterance, InterruptSpeech, ReplyToMessage
from domain.errors import BackendUnavailable, Busy, ParrotError
from domain.ids import GuildId
from domain.spaces import Space
from domain.speech import Transcript
from domain.text import Quote, say

log = structlog.get_logger("parrot.listening")


class HearUtteranceHandler:
    def __init__(
        self,
        chat: ChatOutput,
        work: WorkQueue,
        codec: AudioCodec,
        languages: SpeechLanguages,
        wake_name: str,
        clock: Clock,
        listening: VoiceListening,
        max_seconds: float = 600.0,
    ) -> None:
        self._chat = chat
        self._listening = listening
        self._work = work
        self._codec = codec
        self._languages = languages
        self._wake_name = wake_name
        self._clock = clock
        self._max_seconds = max_seconds
        # Spaces told that hearing is failing: while it keeps failing, every turn would say it again.
        self._told: set[Space] = set()

    async def __call__(self, command: HearUtterance) -> Sequence[BusMessage]:
        # When the turn was heard, before the seconds it takes to recognise and answer it: a `forget me` meanwhile
        # covers it (application/voice/voice_log.py).
        message = command.message
        if message.created_at is None:
            message = replace(message, created_at=self._clock.now())
        if command.tentative:
            heard = await self._hear_tentatively(command)
            if heard is None:
                return ()  # the member went on speaking: the turn that holds all of it is answered instead
            transcript = heard[0]
        else:
            transcript = await self._hear(command)
        said = transcript.text.strip() if transcript is not None else ""
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
        spoken = replace(message, id=posted, content=said, spoken=True)
        return [ReplyToMessage(spoken, text=question)]

    async def _hear_tentatively(self, command: HearUtterance) -> tuple[Transcript | None] | None:
        """Hearing begun at a pause, while the listener finds out whether the turn ended there: None if it did not.

        Dropped as soon as the member speaks again, so a hearing still waiting in the queue gives way to the next.
        """
        message = command.message
        hearing = asyncio.ensure_future(self._hear(command))
        ended = asyncio.ensure_future(self._listening.turn_ended(message.guild_id or GuildId(0), message.id))
        try:
            if not await ended:  # the hearing goes on meanwhile
                log.info("a tentative hearing dropped", guild_id=message.guild_id)
                return None
            return (await hearing,)
        finally:
            for task in (hearing, ended):
                task.cancel()

    async def _hear(self, command: HearUtterance) -> Transcript | None:
        """The transcript, or None when the turn could not be heard (told in the channel once, when it is ours)."""
        message = command.message
        space = message.space
        language = await self._languages.heard(space)
        among = await self._languages.detected_among(space) if language is None else ()
        audio = await self._codec.encode_for_hearing(command.audio)
        job = TranscribeJob(audio.data, f"turn{audio.suffix}", self._max_seconds, language, among)
        try:
            transcript = await self._work.run(job)
        except (Busy, BackendUnavailable) as failure:
            # The queue is full, its deadline passed or the recogniser is down: the member spoke to no one.
            # They hear it once; until a turn is heard again, further failures are only logged.
            log.warning("a spoken turn could not be heard", guild_id=message.guild_id, reason=type(failure).__name__)
            if space not in self._told:
                self._told.add(space)
                await self._chat.send_text(message.channel_id, failure.text)
            return None
        except ParrotError as refusal:
            # The turn's own audio was refused (silent, too long): nothing the speaker could act on, so only logged.
            log.info("a spoken turn was not heard", guild_id=message.guild_id, reason=type(refusal).__name__)
            return None
        self._told.discard(space)
        return transcript


class InterruptSpeechHandler:
    def __init__(self, sessions: VoiceSessions) -> None:
        self._sessions = sessions

    async def __call__(self, command: InterruptSpeech) -> Sequence[BusMessage]:
        if command.message.guild_id is not None:
            self._sessions.interrupt(command.message.guild_id)
        return ()
