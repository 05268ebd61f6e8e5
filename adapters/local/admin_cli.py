"""`parrot train FILE` and `parrot test FILE`: the chat's use cases, run from a shell for admins and scripts."""

import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from adapters.local.console import ConsoleChat
from application.messagebus import BusMessage, MessageBus
from domain import commands
from domain.events import ModelTested, ModelTrained, TrainingFailed
from domain.ids import ChannelId, GuildId, UserId
from domain.messages import Author, Message


class AdminJob:
    """Runs one train or test command as the bot owner in a guild's space and reports how it ended."""

    def __init__(self, console: ConsoleChat, bus: MessageBus, settle: Callable[[], Awaitable[None]]) -> None:
        self._console = console
        self._bus = bus
        self._settle = settle
        self.trained: ModelTrained | None = None
        self.failed: TrainingFailed | None = None
        self.tested: ModelTested | None = None
        bus.subscribe(ModelTrained, self._on_trained)
        bus.subscribe(TrainingFailed, self._on_failed)
        bus.subscribe(ModelTested, self._on_tested)

    async def _on_trained(self, event: ModelTrained) -> Sequence[BusMessage]:
        self.trained = event
        return ()

    async def _on_failed(self, event: TrainingFailed) -> Sequence[BusMessage]:
        self.failed = event
        return ()

    async def _on_tested(self, event: ModelTested) -> Sequence[BusMessage]:
        self.tested = event
        return ()

    def _message(self, guild_id: int, path: Path) -> Message:
        owner = Author(UserId(0), "admin", "admin", can_manage_guild=True, is_owner=True)
        return Message(
            id=self._console.next_id(),
            channel_id=ChannelId(0),
            author=owner,
            content="",
            guild_id=GuildId(guild_id),
            attachments=(self._console.local_attachment(path),),
            created_at=datetime.now(UTC),
        )

    async def train(self, path: Path, guild_id: int, backend: str | None) -> int:
        message = self._message(guild_id, path)
        await self._bus.handle(commands.TrainModel(message, attachment=message.attachments[0], backend=backend))
        await self._settle()
        return 0 if self.trained is not None else 1

    async def test(self, path: Path, guild_id: int, as_json: bool, out: TextIO | None = None) -> int:
        message = self._message(guild_id, path)
        await self._bus.handle(commands.TestModel(message, attachment=message.attachments[0]))
        await self._settle()
        if self.tested is None:
            return 1
        if as_json:
            document = asdict(self.tested.report) | {"model_version": self.tested.version}
            print(json.dumps(document, indent=2), file=out or sys.stdout)
        return 0
