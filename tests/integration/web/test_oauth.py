"""Signing in with Discord OAuth2, against a fake Discord OAuth2 server on 127.0.0.1."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.oauth import OAuthConfig
from adapters.web.sessions import COOKIE, Guild
from support.web_harness import build_web

SECRET = "very-secret-client-value"
MANAGE_GUILD = 1 << 5


@dataclass
class FakeDiscordOAuth:
    """Grants `good-code` once; lists the user's guilds with their permissions as Discord does."""

    codes: set[str] = field(default_factory=lambda: {"good-code"})
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/oauth2/token", self.token)
        app.router.add_get("/users/@me", self.me)
        app.router.add_get("/users/@me/guilds", self.guilds)
        return app

    async def token(self, request: web.Request) -> web.Response:
        form = {key: str(value) for key, value in (await request.post()).items()}
        self.token_requests.append(form)
        if form.get("client_secret") != SECRET or form.get("code") not in self.codes:
            return web.json_response({"error": "invalid_grant"}, status=400)
        self.codes.discard(form["code"])
        return web.json_response({"access_token": "user-token", "token_type": "Bearer"})

    def _authorised(self, request: web.Request) -> None:
        if request.headers.get("Authorization") != "Bearer user-token":
            raise web.HTTPUnauthorized()

    async def me(self, request: web.Request) -> web.Response:
        self._authorised(request)
        return web.json_response({"id": "42", "username": "ada", "global_name": "Ada"})

    async def guilds(self, request: web.Request) -> web.Response:
        self._authorised(request)
        return web.json_response(
            [
                {"id": "1", "name": "Alpha", "owner": False, "permissions": str(MANAGE_GUILD)},
                {"id": "2", "name": "Beta", "owner": False, "permissions": "0"},  # a configured role
                {"id": "3", "name": "Gamma", "owner": True, "permissions": "0"},  # owner, Parrot not there
                {"id": "4", "name": "Delta", "owner": False, "permissions": "0"},  # a plain member
                {"id": "5", "name": "Epsilon", "owner": True, "permissions": "0"},  # owner
            ]
        )


@dataclass
class Flow:
    fake: FakeDiscordOAuth
    client: TestClient[web.Request, web.Application]


@pytest.fixture
async def flow(tmp_path: Path) -> AsyncIterator[Flow]:
    fake = FakeDiscordOAuth()
    discord = TestServer(fake.app(), host="127.0.0.1")
    await discord.start_server()
    config = OAuthConfig("client-1", SECRET, "http://127.0.0.1/oauth/callback", str(discord.make_url("")))
    guilds = (Guild(1, "Alpha"), Guild(2, "Beta"), Guild(4, "Delta"), Guild(5, "Epsilon"))
    site = build_web(
        tmp_path / "data",
        guilds=guilds,
        roles={(2, 42): frozenset({"mods"})},
        oauth=config,
    )
    client = TestClient(TestServer(site.app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield Flow(fake, client)
    finally:
        await client.close()
        await discord.close()
        await site.harness.settle()


async def start(flow: Flow) -> str:
    response = await flow.client.get("/login/discord", allow_redirects=False)
    assert response.status == 303
    target = urlsplit(response.headers["Location"])
    query = parse_qs(target.query)
    assert target.path.endswith("/oauth2/authorize")
    assert query["client_id"] == ["client-1"] and query["response_type"] == ["code"]
    assert query["scope"] == ["identify guilds"] and query["redirect_uri"] == ["http://127.0.0.1/oauth/callback"]
    return query["state"][0]


async def test_discord_login_opens_a_session_for_the_servers_the_user_administers(flow: Flow) -> None:
    login = await flow.client.get("/")
    page = await login.text()
    assert "Sign in with Discord" in page and SECRET not in page
    state = await start(flow)
    response = await flow.client.get(f"/oauth/callback?code=good-code&state={state}", allow_redirects=False)
    assert response.status == 303 and COOKIE in response.cookies
    assert flow.fake.token_requests[0]["grant_type"] == "authorization_code"
    servers = await (await flow.client.get("/")).text()
    # Alpha: Manage Server. Epsilon: owner. Beta: only with the configured role (not configured here).
    assert 'href="/g/1/"' in servers and 'href="/g/5/"' in servers
    assert 'href="/g/2/"' not in servers and 'href="/g/3/"' not in servers and 'href="/g/4/"' not in servers
    assert (await flow.client.get("/g/4/", allow_redirects=False)).status == 403
    assert SECRET not in servers


async def test_a_callback_with_a_foreign_state_or_a_refused_code_opens_no_session(flow: Flow) -> None:
    await start(flow)
    forged = await flow.client.get("/oauth/callback?code=good-code&state=someone-elses", allow_redirects=False)
    assert forged.status == 403 and COOKIE not in forged.cookies
    assert flow.fake.token_requests == []  # the code was never spent
    state = await start(flow)
    refused = await flow.client.get(f"/oauth/callback?code=bad-code&state={state}", allow_redirects=False)
    assert refused.status == 502 and "did not confirm" in await refused.text()
    assert COOKIE not in refused.cookies
    assert (await flow.client.get("/g/1/", allow_redirects=False)).status == 303


async def test_configured_roles_count_as_admin(tmp_path: Path) -> None:
    fake = FakeDiscordOAuth()
    discord = TestServer(fake.app(), host="127.0.0.1")
    await discord.start_server()
    config = OAuthConfig("client-1", SECRET, "http://127.0.0.1/oauth/callback", str(discord.make_url("")))
    site = build_web(
        tmp_path / "data",
        guilds=(Guild(1, "Alpha"), Guild(2, "Beta"), Guild(4, "Delta")),
        roles={(2, 42): frozenset({"mods"}), (4, 42): frozenset({"members"})},
        oauth=config,
        privileged_roles=("mods",),
    )
    client = TestClient(TestServer(site.app, host="127.0.0.1"))
    await client.start_server()
    try:
        flow = Flow(fake, client)
        state = await start(flow)
        await client.get(f"/oauth/callback?code=good-code&state={state}", allow_redirects=False)
        servers = await (await client.get("/")).text()
        assert 'href="/g/1/"' in servers and 'href="/g/2/"' in servers and 'href="/g/4/"' not in servers
    finally:
        await client.close()
        await discord.close()
        await site.harness.settle()
