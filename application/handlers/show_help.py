from collections.abc import Sequence

from application.chat_replies import send_long_text
from application.messagebus import BusMessage
from application.ports.chat import ChatOutput
from domain.catalogue import closest_command, help_text
from domain.commands import ShowHelp, UnknownCommand
from domain.quoting import code


class ShowHelpHandler:
    def __init__(self, chat: ChatOutput, prefix: str, message_chars: int) -> None:
        self._chat = chat
        self._prefix = prefix
        self._message_chars = message_chars

    async def __call__(self, command: ShowHelp) -> Sequence[BusMessage]:
        message = command.message
        text = help_text(self._prefix, command.topic)
        await send_long_text(self._chat, message.channel_id, text, reply_to=message.id, limit=self._message_chars)
        return ()


class UnknownCommandHandler:
    def __init__(self, chat: ChatOutput, prefix: str) -> None:
        self._chat = chat
        self._prefix = prefix

    async def __call__(self, command: UnknownCommand) -> Sequence[BusMessage]:
        message = command.message
        suggestion = closest_command(command.name)
        text = f"I don't know the command {code(self._prefix + command.name, 40)}."
        if suggestion:
            text += f" Did you mean `{self._prefix}{suggestion}`?"
        text += f" Type `{self._prefix}help` for the list."
        await self._chat.send_text(message.channel_id, text, reply_to=message.id)
        return ()
