"""The review page over the real application (fake Discord, fake model): for handler and browser tests."""

import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from adapters.local.console import GUILD, ConsoleChat, LocalChatSession
from adapters.web import ReviewQueries, StaticGuilds, WebAttachments, WebChat, WebServer, build_server
from adapters.web.app import WebContext, make_app
from adapters.web.oauth import DiscordOAuth, OAuthConfig
from adapters.web.sessions import Guild, Identity, LoginLinks, SessionCodec
from bootstrap import Container, build_container
from cli import settle, shutdown
from support import fakes
from support.app import AppHarness, build_app, make_settings

ALPHA = Guild(1, "Alpha")
BETA = Guild(2, "Beta")


def queries(container: Container) -> ReviewQueries:
    made: ReviewQueries = container.web.queries()
    return made


@dataclass
class WebHarness:
    harness: AppHarness
    context: WebContext
    app: web.Application

    def login_link(self, identity: Identity) -> str:
        return f"/login/{self.context.links.issue(identity)}"


def build_web(
    data_root: Path,
    *,
    in_memory: bool = True,
    guilds: tuple[Guild, ...] = (ALPHA, BETA),
    roles: dict[tuple[int, int], frozenset[str]] | None = None,
    oauth: OAuthConfig | None = None,
    now: Callable[[], float] = time.time,
    session_hours: float = 1.0,
    privileged_roles: tuple[str, ...] = (),
    web_settings: dict[str, Any] | None = None,
    model_settings: dict[str, Any] | None = None,
) -> WebHarness:
    discord: dict[str, Any] = {"privileged_roles": list(privileged_roles)}
    harness = build_app(
        data_root, in_memory=in_memory, web=True, web_settings=web_settings, discord=discord, model=model_settings or {}
    )
    assert harness.web_chat is not None and harness.web_attachments is not None
    directory = StaticGuilds([(guild.id, guild.name) for guild in guilds], roles)
    container = harness.container
    context = WebContext(
        bus=container.bus(),
        chat=harness.web_chat,
        attachments=harness.web_attachments,
        queries=queries(container),
        directory=directory,
        sessions=SessionCodec(session_hours * 3600, now=now),
        links=LoginLinks(),
        oauth=DiscordOAuth(oauth, directory, container.policy()) if oauth else None,
        max_upload_bytes=container.limits().dataset_bytes,
    )
    return WebHarness(harness, context, make_app(context))


@dataclass
class LocalWeb:
    """The local chat and the review page in one event loop, served on a real port: for the browser tests."""

    console: ConsoleChat
    output: io.StringIO
    chat: LocalChatSession
    container: Container
    backend: fakes.FakeModelBackend
    server: WebServer

    async def say(self, line: str) -> list[str]:
        """Type a line in the local chat; the bot's lines it printed in answer."""
        before = len(self.output.getvalue().splitlines())
        await self.chat.handle_line(line)
        return [line.removeprefix("parrot> ") for line in self.output.getvalue().splitlines()[before:]]

    async def close(self) -> None:
        await self.server.stop()
        await shutdown(self.container, deadline=5)


async def start_local_web(data_root: Path, train_delay: float = 0.0) -> LocalWeb:
    """As `PARROT_WEB_PORT=N parrot chat` builds it, with the fake model backend and a port the system picks."""
    settings = make_settings(data_root)
    output = io.StringIO()
    console = ConsoleChat(data_root / "local-output", output, settings.discord.prefix)
    chat, attachments = WebChat(console, settings.discord.prefix), WebAttachments(console)
    backend = fakes.FakeModelBackend(name="embedded", delay=train_delay)
    overrides: dict[str, object] = {
        "backends": {"embedded": backend},
        "dataset_parser": fakes.LineParser(),
        "codec": fakes.FakeCodec(),
        "stt": fakes.FakeSpeechToText(),
        "tts": fakes.FakeTextToSpeech(),
    }
    container = build_container(settings, chat, console, attachments, **overrides)

    async def settle_app() -> None:
        await settle(container)

    session = LocalChatSession(console, container.bus(), settings.discord.prefix, settle_app, interactive=False)
    server = build_server(
        host="127.0.0.1",
        port=0,
        bus=container.bus(),
        chat=chat,
        attachments=attachments,
        queries=queries(container),
        directory=StaticGuilds([(int(GUILD), "Local chat")]),
        policy=container.policy(),
        session_hours=1,
        max_upload_bytes=container.limits().dataset_bytes,
    )
    await server.start()
    return LocalWeb(console, output, session, container, backend, server)
