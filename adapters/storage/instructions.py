"""The instructions file sent by `!instruction`."""

from pathlib import Path

import aiofiles

from application.ports.storage import StoredFile
from domain.errors import NotFound


class InstructionsFile:
    def __init__(self, path: Path) -> None:
        self._path = path

    async def read_instructions(self) -> StoredFile:
        try:
            async with aiofiles.open(self._path, "rb") as handle:
                return StoredFile(self._path.name, await handle.read())
        except FileNotFoundError:
            raise NotFound("The instructions file is missing; ask the bot's admin to configure it.") from None
