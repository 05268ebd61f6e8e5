from collections.abc import Sequence

from application.messagebus import BusMessage
from application.ports.storage import SettingsStore
from application.voice.hearing import AudioHearing
from domain.commands import ReplyToMessage, TranscribeAudio, TranscribeOnRequest
from domain.errors import InvalidArgument


class TranscribeAudioHandler:
    """Hears an audio attachment: download, decode, recognise, post the transcript, then answer it.

    Unless the space turned automatic transcription off (`settings transcribe off`): then audio is left alone.
    """

    def __init__(self, hearing: AudioHearing, settings: SettingsStore) -> None:
        self._hearing = hearing
        self._settings = settings

    async def __call__(self, command: TranscribeAudio) -> Sequence[BusMessage]:
        message = command.message
        if not (await self._settings.load(message.space)).transcribe_voice:
            # The audio is left alone; words written beside it are still answered.
            text = message.content.strip()
            return [ReplyToMessage(message, text=text)] if text else ()
        transcript = await self._hearing.post_transcript(message, command.attachment)
        if transcript is None:
            return ()
        return [ReplyToMessage(message, text=transcript.text)]


class TranscribeOnRequestHandler:
    """Transcribes a message someone picked (Discord: Transcribe in its menu), whatever the space's setting.

    Only the transcript is posted: the model does not answer it, the member asked to read it.
    """

    def __init__(self, hearing: AudioHearing) -> None:
        self._hearing = hearing

    async def __call__(self, command: TranscribeOnRequest) -> Sequence[BusMessage]:
        if command.attachment is None or not command.attachment.is_audio:
            raise InvalidArgument("That message has no voice message or audio file to transcribe.")
        await self._hearing.post_transcript(command.message, command.attachment)
        return ()
