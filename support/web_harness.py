"""The review page over the real application (fake Discord, fake model): for handler and browser tests."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from adapters.web import ReviewQueries, StaticGuilds
from adapters.web.app import WebContext, make_app
from adapters.web.oauth import DiscordOAuth, OAuthConfig
from adapters.web.sessions import Guild, Identity, LoginLinks, SessionCodec
from bootstrap import Container
from support.app import AppHarness, build_app

ALPHA = Guild(1, "Alpha")
BETA = Guild(2, "Beta")


def queries(container: Container) -> ReviewQueries:
    review = container.review
    return ReviewQueries(
        overview=review.overview(),
        inbox=review.inbox(),
        models=review.models(),
        picture=review.picture(),
        job=review.job(),
        data=review.data(),
        download=review.download(),
        answers=review.answers(),
    )


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
) -> WebHarness:
    discord: dict[str, Any] = {"privileged_roles": list(privileged_roles)}
    harness = build_app(data_root, in_memory=in_memory, web=True, discord=discord)
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
