"""Helpers to run the real ParrotBot in-process against the socket-level fake Discord (tests and bench)."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from adapters.discord import DiscordConfig, ParrotBot
from adapters.discord.listening.options import ListeningOptions
from application.chat.permissions import PrivilegePolicy
from bootstrap import Container, build_container
from cli import discord_bot
from domain.commands import Command
from support import fakes
from support.app import in_memory_stores, make_settings
from support.fake_discord import FakeDiscord

C = TypeVar("C", bound=Command)


class RecordingSink:
    """Stands in for the bus: keeps every command it admits, and can run a script for some command types.

    It admits as the bus does, through a privilege policy (the default one unless a test gives another).
    """

    def __init__(self, policy: PrivilegePolicy | None = None) -> None:
        self.policy = policy or PrivilegePolicy()
        self.commands: list[Command] = []
        self.scripts: dict[type[Command], Callable[[Command], Awaitable[None]]] = {}
        self._arrived = asyncio.Condition()

    def admit(self, command: Command) -> None:
        self.policy.admit_command(command)

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
    if policy is not None:
        sink.policy = policy
    bot = discord_bot(bot_config(fake, **changes))
    bot.attach(sink)
    async with started(bot, fake) as bot:
        yield bot


@asynccontextmanager
async def started(bot: ParrotBot, fake: FakeDiscord) -> AsyncIterator[ParrotBot]:
    """Log in, connect, wait for on_ready; close on the way out."""
    await bot.login(fake.token)
    connection = asyncio.create_task(bot.connect())
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 5)
        yield bot
    finally:
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(connection, 5)


def build_app_bot(
    fake: FakeDiscord,
    data_root: Path,
    *,
    codec: fakes.FakeCodec | None = None,
    model: fakes.FakeModelBackend | None = None,
    stt: object | None = None,
    privileged_roles: tuple[str, ...] = (),
    real_speech: bool = False,
    listening: ListeningOptions | None = None,
    listen: dict[str, object] | None = None,
    speech_settings: dict[str, object] | None = None,
    voice_connect_timeout: float | None = None,
    in_memory: bool = True,
    **config_changes: object,
) -> tuple[ParrotBot, Container]:
    """The bot wired to the real application container, as bootstrap does, with fake speech and model backends.

    With `real_speech`, the configured codec, recogniser and voice are the real ones (Whisper, piper).
    Stores are in memory, or with `in_memory=False` the real ones under `data_root` (to outlast a restart).
    """
    settings = make_settings(
        data_root,
        discord={"privileged_roles": list(privileged_roles)},
        listen=listen or {},
        speech=speech_settings or {},
    )
    changes: dict[str, object] = dict(config_changes)
    if listening is not None:
        changes["listening"] = listening
    if voice_connect_timeout is not None:
        changes["voice_connect_timeout"] = voice_connect_timeout
    bot = discord_bot(bot_config(fake, **changes))
    speech: dict[str, object] = (
        {}
        if real_speech
        else {
            "codec": codec or fakes.FakeCodec(),
            "stt": stt or fakes.FakeSpeechToText(),
            "tts": fakes.FakeTextToSpeech(),
        }
    )
    container = build_container(
        settings,
        bot.chat,
        bot.voice,
        bot.attachments,
        listening=bot.listening,
        **speech,
        backends={"embedded": model or fakes.FakeModelBackend(name="embedded")},
        dataset_parser=fakes.LineParser(),
        report_renderer=fakes.FakeRenderer(),
        clock=fakes.FixedClock(),
        **(in_memory_stores() if in_memory else {}),
    )
    bot.attach(container.bus())
    return bot, container


async def form_ready(bot: ParrotBot, custom_id: str, timeout: float = 5.0) -> None:
    """Wait until the bot holds the form it opened. On Discord a member cannot submit a form before it is shown,
    but the fake records the bot's "open a form" call before discord.py has stored the form to receive it."""
    store = getattr(bot._connection, "_view_store")  # noqa: B009 - discord.py keeps open forms there
    async with asyncio.timeout(timeout):
        while custom_id not in store._modals:
            await asyncio.sleep(0.01)
