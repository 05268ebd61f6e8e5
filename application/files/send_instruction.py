from collections.abc import Sequence

from application.messagebus import BusMessage
from application.ports.chat import ChatOutput
from application.ports.storage import InstructionSource
from domain.chat_text import split_at_paragraphs
from domain.commands import SendInstruction
from domain.messages import OutgoingFile


class SendInstructionHandler:
    def __init__(self, chat: ChatOutput, instructions: InstructionSource) -> None:
        self._chat = chat
        self._instructions = instructions

    async def __call__(self, command: SendInstruction) -> Sequence[BusMessage]:
        message = command.message
        stored = await self._instructions.read_instructions()
        text = stored.data.decode("utf-8", errors="replace").strip()
        # Read where it is asked for, in a few messages cut between paragraphs; longer, it is a file to open.
        pieces = split_at_paragraphs(text, self._chat.max_message_length)
        if pieces:
            await self._chat.send_text(message.channel_id, pieces[0], reply_to=message.id)
            for piece in pieces[1:]:
                await self._chat.send_text(message.channel_id, piece)
        else:
            await self._chat.send_file(
                message.channel_id,
                OutgoingFile(stored.name, stored.data),
                text="The instructions are attached.",
                reply_to=message.id,
            )
        return ()
