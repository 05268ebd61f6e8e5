from collections.abc import Sequence

from application.chat.arguments import require
from application.messagebus import BusMessage
from application.ports.chat import ChatOutput
from application.ports.storage import FileVault
from domain.commands import GetFile
from domain.events import FileSent
from domain.messages import OutgoingFile


class GetFileHandler:
    def __init__(self, chat: ChatOutput, vault: FileVault, max_bytes: int) -> None:
        self._chat = chat
        self._vault = vault
        self._max_bytes = max_bytes

    async def __call__(self, command: GetFile) -> Sequence[BusMessage]:
        message = command.message
        path = require(command.path, "getfile")
        stored = await self._vault.read_file(message.space, path, self._max_bytes)
        await self._chat.send_file(message.channel_id, OutgoingFile(stored.name, stored.data), reply_to=message.id)
        return [FileSent(message.space, path, len(stored.data))]
