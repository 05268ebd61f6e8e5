"""The real ParrotBot, in-process, against the socket-level fake Discord."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import TypeVar

import pytest

from adapters.discord import DiscordConfig, ParrotBot
from application.permissions import PrivilegePolicy
from domain.commands import Command
from tests.fake_discord import FakeDiscord

C = TypeVar("C", bound=Command)


class RecordingSink:
    """Stands in for the bus: keeps every command, and can run a script for some command types."""

    def __init__(self) -> None:
        self.commands: list[Command] = []
        self.scripts: dict[type[Command], Callable[[Command], Awaitable[None]]] = {}
        self._arrived = asyncio.Condition()

    async def handle(self, message: Command) -> None:
        async with self._arrived:
            self.commands.append(message)
            self._arrived.notify_all()
        script = self.scripts.get(type(message))
        if script is not None:
            await script(message)

    async def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[Command]:
        async with asyncio.timeout(timeout), self._arrived:
            await self._arrived.wait_for(lambda: len(self.commands) >= count)
        return self.commands

    async def next_of(self, kind: type[C], timeout: float = 5.0) -> C:
        async with asyncio.timeout(timeout), self._arrived:
            await self._arrived.wait_for(lambda: any(isinstance(c, kind) for c in self.commands))
        return next(c for c in self.commands if isinstance(c, kind))


def bot_config(fake: FakeDiscord, **changes: object) -> DiscordConfig:
    config = DiscordConfig(
        api_base=fake.api_base,
        gateway_url=fake.gateway_url,
        voice_ca_file=fake.ca_file,
        guild_ready_timeout=0.1,
        voice_connect_timeout=5.0,
    )
    return replace(config, **changes)  # type: ignore[arg-type]


@asynccontextmanager
async def running_bot(
    fake: FakeDiscord, sink: RecordingSink, policy: PrivilegePolicy | None = None, **changes: object
) -> AsyncIterator[ParrotBot]:
    bot = ParrotBot(bot_config(fake, **changes), policy or PrivilegePolicy(), sink)
    await bot.login(fake.token)
    connection = asyncio.create_task(bot.connect())
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 5)
        yield bot
    finally:
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(connection, 5)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
async def bot(fake: FakeDiscord, sink: RecordingSink) -> AsyncIterator[ParrotBot]:
    async with running_bot(fake, sink, PrivilegePolicy(frozenset({"Trainer"}))) as running:
        yield running
