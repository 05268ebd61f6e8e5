from collections.abc import Sequence

from application.messagebus import BusMessage
from application.ports.chat import ChatOutput
from application.ports.storage import InstructionSource
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
        if len(text) <= self._chat.max_message_length:
            await self._chat.send_text(message.channel_id, text, reply_to=message.id)
        else:
            await self._chat.send_file(
                message.channel_id,
                OutgoingFile(stored.name, stored.data),
                text="The instructions are attached.",
                reply_to=message.id,
            )
        return ()
