"""Hearing an audio attachment and posting its transcript: shared by automatic and on-request transcription."""

import structlog

from application.chat.languages import SpeechLanguages
from application.chat.long_text import FILE_NOTE, FILE_NOTE_RU, send_long_text
from application.ports.chat import AttachmentSource, ChatOutput
from application.ports.work import TranscribeJob, WorkQueue
from domain.errors import InvalidAudio, ParrotError, TooLarge
from domain.messages import Attachment, Message, Status
from domain.scripts import written_in_cyrillic
from domain.speech import Transcript
from domain.text import Code, Quote, say

log = structlog.get_logger("parrot.speech")

# Far above what `limits.audio_seconds` lets anyone say; the transcript is quoted whole (long ones go as a file).
MAX_TRANSCRIPT_CHARS = 1_000_000


class AudioHearing:
    """Download, then hear through the work queue (which bounds and times it), then post the transcript.

    A transcript longer than one chat message goes as `transcript.txt`, its first lines shown inline.
    """

    def __init__(
        self,
        chat: ChatOutput,
        attachments: AttachmentSource,
        work: WorkQueue,
        languages: SpeechLanguages,
        max_bytes: int,
        max_seconds: float,
    ) -> None:
        self._chat = chat
        self._attachments = attachments
        self._work = work
        self._languages = languages
        self._max_bytes = max_bytes
        self._max_seconds = max_seconds

    async def post_transcript(self, message: Message, attachment: Attachment) -> Transcript | None:
        """Hear `attachment` and answer `message` with its transcript; refusals mark the message failed.

        None when the message was deleted while it was heard: its transcript is not posted.
        """
        if attachment.size > self._max_bytes:
            raise TooLarge(say("The audio file ", Code(attachment.filename)), attachment.size, self._max_bytes)
        await self._chat.set_status(message.channel_id, message.id, Status.WORKING)
        try:
            transcript = await self._hear(message, attachment)
        except ParrotError:
            await self._chat.set_status(message.channel_id, message.id, Status.FAILED)
            raise
        if self._chat.is_gone(message.channel_id, message.id):
            # Its author deleted the voice message while it was heard: what it said must not be posted.
            log.info("the message was deleted; its transcript is dropped", message_id=message.id)
            return None
        if transcript.is_empty:
            await self._chat.set_status(message.channel_id, message.id, Status.FAILED)
            raise InvalidAudio("I couldn't hear any words in that audio.")
        # Said in the language of what was heard: a Russian transcript after "I heard" reads wrong.
        russian = written_in_cyrillic(transcript.text) is True
        await send_long_text(
            self._chat,
            message.channel_id,
            say(Quote(transcript.text.strip(), limit=MAX_TRANSCRIPT_CHARS)),
            reply_to=message.id,
            filename="transcript.txt",
            intro="🎙️ Я услышал: " if russian else "🎙️ I heard: ",
            max_parts=1,
            file_text=transcript.text.strip(),
            file_note=FILE_NOTE_RU if russian else FILE_NOTE,
        )
        await self._chat.set_status(message.channel_id, message.id, Status.DONE)
        return transcript

    async def _hear(self, message: Message, attachment: Attachment) -> Transcript:
        data = await self._attachments.fetch(attachment, self._max_bytes)
        if not data:
            raise InvalidAudio("That audio file is empty.")
        language = await self._languages.heard(message.space)
        among = await self._languages.detected_among(message.space) if language is None else ()
        return await self._work.run(TranscribeJob(data, attachment.filename, self._max_seconds, language, among))
