from collections.abc import Sequence

from application.messagebus import BusMessage
from application.ports.chat import ChatOutput, VoiceListening, VoiceOutput
from domain.commands import LeaveVoice


class LeaveVoiceHandler:
    def __init__(self, chat: ChatOutput, voice: VoiceOutput, listening: VoiceListening) -> None:
        self._chat = chat
        self._voice = voice
        self._listening = listening

    async def __call__(self, command: LeaveVoice) -> Sequence[BusMessage]:
        message = command.message
        if message.guild_id is not None:
            await self._listening.stop(message.guild_id)  # leaving the channel ends listening to it
        left = message.guild_id is not None and await self._voice.leave(message.guild_id)
        text = "Left the voice channel." if left else "I'm not in a voice channel here."
        await self._chat.send_text(message.channel_id, text, reply_to=message.id)
        return ()
