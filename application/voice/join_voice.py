from collections.abc import Sequence

from application.messagebus import BusMessage
from application.ports.chat import ChatOutput, VoiceOutput
from domain.commands import JoinVoice
from domain.errors import InvalidArgument
from domain.text import ChannelRef, say


class JoinVoiceHandler:
    def __init__(self, chat: ChatOutput, voice: VoiceOutput) -> None:
        self._chat = chat
        self._voice = voice

    async def __call__(self, command: JoinVoice) -> Sequence[BusMessage]:
        message = command.message
        if message.guild_id is None:
            raise InvalidArgument("Voice channels exist in servers only; ask me from a server's text channel.")
        channel = message.author_voice_channel_id
        if channel is None:
            raise InvalidArgument("Join a voice channel first, then ask me again.")
        await self._voice.join(message.guild_id, channel)
        await self._chat.send_text(
            message.channel_id,
            say("Joined ", ChannelRef(channel), ". I'll speak my replies there."),
            reply_to=message.id,
        )
        return ()
