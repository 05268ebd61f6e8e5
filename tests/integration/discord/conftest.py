"""Fixtures: the fake Discord, a recording sink, and the real ParrotBot connected to them."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.discord import ParrotBot
from application.chat.permissions import PrivilegePolicy
from bootstrap import Container
from cli import settle, shutdown
from support.discord_harness import RecordingSink, build_app_bot, running_bot, started
from support.fake_discord import FakeDiscord


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


@pytest.fixture
async def app(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[tuple[ParrotBot, Container]]:
    """The whole application (bus, handlers, stores under `tmp_path`) behind the real bot, on the fake."""
    bot, container = build_app_bot(fake, tmp_path)
    async with started(bot, fake):
        yield bot, container
        await settle(container)
        await shutdown(container)
