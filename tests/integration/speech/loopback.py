"""A throwaway HTTP server on 127.0.0.1 that plays an online speech service: it fails, stalls or answers."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Loopback:
    base_url: str
    requests: list[tuple[str, str, bytes]] = field(default_factory=list)  # (path, query, body)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"


async def fail(_request: web.Request) -> web.StreamResponse:
    return web.Response(status=500, text="internal error")


@asynccontextmanager
async def loopback_server(routes: Mapping[str, Handler]) -> AsyncIterator[Loopback]:
    """Serve `routes` plus `/stall` (answers only when released, at exit) and `/fail` (500)."""
    server = Loopback(base_url="")

    async def stall(_request: web.Request) -> web.StreamResponse:
        await server.release.wait()
        return web.Response(text="too late")

    @web.middleware
    async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
        server.requests.append((request.path, request.query_string, await request.read()))
        return await handler(request)

    app = web.Application(middlewares=[record])
    for path, handler in {"/stall": stall, "/fail": fail, **routes}.items():
        app.router.add_route("*", path, handler)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    sockets = runner.addresses
    host, port = sockets[0][:2]
    server.base_url = f"http://{host}:{port}"
    try:
        yield server
    finally:
        server.release.set()
        await runner.cleanup()
