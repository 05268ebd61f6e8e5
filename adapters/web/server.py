"""Starting and stopping the review page beside the running driver, in the same event loop."""

import sys
from dataclasses import dataclass
from typing import TextIO

import structlog
from aiohttp import web

from adapters.web.app import WebContext, make_app
from adapters.web.sessions import Identity

log = structlog.get_logger("parrot.web")


@dataclass(frozen=True, slots=True)
class Listen:
    host: str
    port: int


class WebServer:
    def __init__(self, context: WebContext, listen: Listen) -> None:
        self._context = context
        self._listen = listen
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    @property
    def context(self) -> WebContext:
        return self._context

    async def start(self) -> str:
        """Serve, and return the page's address (with the port the system chose when 0 was asked for)."""
        self._runner = web.AppRunner(make_app(self._context), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._listen.host, self._listen.port)
        await site.start()
        port = self._listen.port
        server = site._server  # the bound socket tells the port actually chosen
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            port = int(sockets[0].getsockname()[1])
        host = self._listen.host if ":" not in self._listen.host else f"[{self._listen.host}]"
        self.base_url = f"http://{host}:{port}"
        log.info("review page serving", url=self.base_url)
        return self.base_url

    def login_line(self, identity: Identity, stream: TextIO | None = None, log_link: bool = True) -> str:
        """Print one line with a one-time login link for `identity`, and log it unless the log is that stream."""
        token = self._context.links.issue(identity)
        line = f"Dashboard: {self.base_url}/login/{token}"
        print(line, file=stream or sys.stderr, flush=True)
        if log_link:
            log.info("review page login link", line=line)
        else:
            log.info("review page login link printed on standard error")
        return line

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
