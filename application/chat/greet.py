from collections.abc import Sequence

from application.messagebus import BusMessage
from application.ports.chat import ChatOutput
from domain.commands import Greet
from domain.text import CommandRef, Quote, say


class GreetHandler:
    def __init__(self, chat: ChatOutput) -> None:
        self._chat = chat

    async def __call__(self, command: Greet) -> Sequence[BusMessage]:
        message = command.message
        # A display name is the member's own text: quoted, so that a name cannot carry a link or markup.
        name = Quote(message.author.shown_name, 80)
        await self._chat.send_text(
            message.channel_id,
            say(
                "Hi ",
                name,
                "! I'm Parrot: I listen, speak and learn. Type ",
                CommandRef("help"),
                " to see what I can do.",
            ),
            reply_to=message.id,
        )
        return ()
