from collections.abc import Sequence

from application.chat.languages import SpeechLanguages
from application.messagebus import BusMessage
from application.ports.storage import SettingsStore
from application.voice.sessions import VoiceSessions
from domain.commands import SpeakText
from domain.events import ReplyProduced


class SpeakTextHandler:
    def __init__(self, sessions: VoiceSessions, languages: SpeechLanguages, settings: SettingsStore) -> None:
        self._sessions = sessions
        self._languages = languages
        self._settings = settings

    async def __call__(self, command: SpeakText) -> Sequence[BusMessage]:
        if not (await self._settings.load(command.message.space)).spoken_replies:
            return ()  # `settings voice off`: the bot stays silent in voice channels
        language = await self._languages.spoken(command.message.space, str(command.text))
        self._sessions.speak(command.guild_id, command.voice_channel_id, command.text, language)
        return ()


async def speak_replies_in_voice(event: ReplyProduced) -> Sequence[BusMessage]:
    """When the author sits in a voice channel of the guild, the reply is spoken there too."""
    message = event.message
    if message.guild_id is None or message.author_voice_channel_id is None:
        return ()
    said = event.reply.said or event.reply.text
    return [SpeakText(message, said, message.guild_id, message.author_voice_channel_id)]
