from collections.abc import Sequence

from application.chat.arguments import require
from application.messagebus import BusMessage
from application.ports.chat import ChatOutput
from application.ports.storage import FileVault
from domain.commands import ArchiveFiles
from domain.errors import format_bytes
from domain.events import FilesArchived
from domain.messages import OutgoingFile


class ArchiveFilesHandler:
    def __init__(self, chat: ChatOutput, vault: FileVault, max_bytes: int, max_entries: int) -> None:
        self._chat = chat
        self._vault = vault
        self._max_bytes = max_bytes
        self._max_entries = max_entries

    async def __call__(self, command: ArchiveFiles) -> Sequence[BusMessage]:
        message = command.message
        directory = require(command.directory, "archive")
        archive = await self._vault.archive_directory(message.space, directory, self._max_bytes, self._max_entries)
        await self._chat.send_file(
            message.channel_id,
            OutgoingFile(archive.name, archive.data),
            text=f"Archived `{directory}` ({format_bytes(len(archive.data))}).",
            reply_to=message.id,
        )
        return [FilesArchived(message.space, directory, archive.name, len(archive.data))]
