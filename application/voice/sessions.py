"""Speaking in voice channels: one queue per guild, so replies never cut each other.

Synthesis of the next sentence overlaps playback of the current one, so the first
sentence is heard while the rest is still being made. After `idle_seconds` without
anything to say, the bot leaves the channel.
"""

import asyncio
import contextlib
from dataclasses import dataclass

import structlog

from application.ports.chat import VoiceListening, VoiceOutput
from application.ports.work import SynthesiseJob, WorkQueue
from domain.ids import ChannelId, GuildId
from domain.speech import EncodedAudio
from domain.spoken_text import split_sentences, spoken_text
from domain.text import Text

log = structlog.get_logger("parrot.voice")


@dataclass(frozen=True, slots=True)
class Utterance:
    voice_channel_id: ChannelId
    text: Text | str
    language: str


class VoiceSessions:
    def __init__(
        self,
        voice: VoiceOutput,
        work: WorkQueue,
        idle_seconds: float,
        sentence_chars: int = 300,
        queue_size: int = 20,
        listening: VoiceListening | None = None,
    ) -> None:
        self._voice = voice
        self._listening = listening
        self._work = work
        self._idle_seconds = idle_seconds
        self._sentence_chars = sentence_chars
        self._queue_size = queue_size
        self._queues: dict[GuildId, asyncio.Queue[Utterance]] = {}
        self._workers: dict[GuildId, asyncio.Task[None]] = {}
        self._speaking: dict[GuildId, asyncio.Task[None]] = {}
        self.spoken: int = 0
        self.interrupted: int = 0

    def speak(self, guild_id: GuildId, voice_channel_id: ChannelId, text: Text | str, language: str) -> bool:
        """Queue `text` for the guild; False when its queue is full (the text reply was sent anyway)."""
        queue = self._queues.setdefault(guild_id, asyncio.Queue(self._queue_size))
        try:
            queue.put_nowait(Utterance(voice_channel_id, text, language))
        except asyncio.QueueFull:
            log.warning("voice queue full; reply not spoken", guild_id=guild_id)
            return False
        worker = self._workers.get(guild_id)
        if worker is None or worker.done():
            self._workers[guild_id] = asyncio.create_task(self._serve(guild_id, queue), name=f"voice-{guild_id}")
        return True

    def interrupt(self, guild_id: GuildId) -> bool:
        """Stop what the guild hears now and drop what was queued (barge-in); False when it was quiet."""
        queue = self._queues.get(guild_id)
        dropped = 0
        while queue is not None and not queue.empty():
            queue.get_nowait()
            queue.task_done()
            dropped += 1
        speaking = self._speaking.get(guild_id)
        if speaking is not None and not speaking.done():
            speaking.cancel()
        elif not dropped:
            return False
        self.interrupted += 1
        log.info("speech interrupted", guild_id=guild_id, dropped=dropped)
        return True

    async def wait_idle(self) -> None:
        """Wait until every queued utterance has been played (for tests and shutdown)."""
        for queue in list(self._queues.values()):
            await queue.join()

    async def close(self) -> None:
        for task in self._workers.values():
            task.cancel()
        for task in self._workers.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._workers.clear()

    async def _serve(self, guild_id: GuildId, queue: asyncio.Queue[Utterance]) -> None:
        with structlog.contextvars.bound_contextvars(guild_id=guild_id):
            while True:
                try:
                    utterance = await asyncio.wait_for(queue.get(), timeout=self._idle_seconds)
                except TimeoutError:
                    if self._listening is not None and self._listening.listening_channel(guild_id) is not None:
                        return  # listening: the bot stays in the channel until told to stop
                    if self._voice.connected_channel(guild_id) is not None:
                        log.info("leaving voice after idle time", idle_seconds=self._idle_seconds)
                        await self._voice.leave(guild_id)
                    return
                speaking = self._speaking[guild_id] = asyncio.create_task(self._say(guild_id, utterance))
                try:
                    await asyncio.wait({speaking})
                    if not speaking.cancelled():  # cancelled: interrupted by a member speaking
                        speaking.result()
                except asyncio.CancelledError:
                    speaking.cancel()
                    raise
                except Exception:
                    # A failed backend costs this utterance only; the text reply was already sent.
                    log.exception("speaking failed")
                finally:
                    queue.task_done()

    async def _say(self, guild_id: GuildId, utterance: Utterance) -> None:
        # The voice driver says commands and code in words, as a chat driver writes them with its markup.
        said = self._voice.spoken(utterance.text, utterance.language)
        sentences = split_sentences(spoken_text(said), self._sentence_chars)
        if not sentences:
            return
        if self._voice.connected_channel(guild_id) != utterance.voice_channel_id:
            await self._voice.join(guild_id, utterance.voice_channel_id)
        ready: asyncio.Queue[EncodedAudio | None] = asyncio.Queue(maxsize=2)

        async def produce() -> None:
            try:
                for sentence in sentences:
                    await ready.put(await self._work.run(SynthesiseJob(sentence, utterance.language)))
            finally:
                await ready.put(None)

        producer = asyncio.create_task(produce())
        try:
            while (audio := await ready.get()) is not None:
                await self._voice.play(guild_id, audio)
                self.spoken += 1
        finally:
            if not producer.done():
                producer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await producer
        # Surface a synthesis failure after playing what could be played.
        producer.result()
