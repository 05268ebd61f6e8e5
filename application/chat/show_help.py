from collections.abc import Sequence

from application.chat.long_text import send_long_text
from application.messagebus import BusMessage
from application.ports.chat import ChatOutput
from domain.catalogue import closest_command, help_text
from domain.commands import ShowHelp, UnknownCommand
from domain.text import CommandRef, say


class ShowHelpHandler:
    def __init__(self, chat: ChatOutput) -> None:
        self._chat = chat

    async def __call__(self, command: ShowHelp) -> Sequence[BusMessage]:
        message = command.message
        text = help_text(command.topic)
        await send_long_text(self._chat, message.channel_id, text, reply_to=message.id)
        return ()


class UnknownCommandHandler:
    def __init__(self, chat: ChatOutput) -> None:
        self._chat = chat

    async def __call__(self, command: UnknownCommand) -> Sequence[BusMessage]:
        message = command.message
        suggestion = closest_command(command.name)
        # The name is the user's text: quoted as code, with the chat's prefix in front.
        text = say("I don't know the command ", CommandRef(command.name, limit=40), ".")
        if suggestion:
            text += say(" Did you mean ", CommandRef(suggestion), "?")
        text += say(" Type ", CommandRef("help"), " for the list.")
        await self._chat.send_text(message.channel_id, text, reply_to=message.id)
        return ()
