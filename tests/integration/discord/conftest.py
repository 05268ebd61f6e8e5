"""Fixtures: the fake Discord, a recording sink, and the real ParrotBot connected to them."""

from collections.abc import AsyncIterator

import pytest

from adapters.discord import ParrotBot
from application.permissions import PrivilegePolicy
from support.discord_harness import RecordingSink, running_bot
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
