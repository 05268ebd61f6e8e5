"""A loopback OpenAI-compatible server for tests: answers, fails or stalls on demand, and records requests."""

import asyncio
import json
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class FakeOpenAI:
    mode: str = "answer"  # "answer", "fail" (HTTP 500), "stall" (never answers in time), "refuse" (HTTP 401)
    reply: str | None = None  # a fixed reply instead of the keyword rule
    offers_fine_tuning: bool = False
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    job_polls: int = 0
    server: TestServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/v1"))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/v1/models", self.models)
        app.router.add_post("/v1/chat/completions", self.chat)
        app.router.add_get("/v1/fine_tuning/jobs", self.list_jobs)
        app.router.add_post("/v1/files", self.upload)
        app.router.add_post("/v1/fine_tuning/jobs", self.create_job)
        app.router.add_get("/v1/fine_tuning/jobs/{job}", self.get_job)
        return app

    async def _record(self, request: web.Request, body: Any) -> None:
        self.requests.append((request.method, request.path, body))
        self.headers.append(dict(request.headers))
        if self.mode == "fail":
            raise web.HTTPInternalServerError()
        if self.mode == "refuse":
            raise web.HTTPUnauthorized()
        if self.mode == "stall":
            await asyncio.sleep(30)

    async def models(self, request: web.Request) -> web.Response:
        await self._record(request, None)
        return web.json_response({"data": [{"id": "tiny"}]})

    async def chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self._record(request, body)
        message = body["messages"][-1]["content"].rsplit("Message:", 1)[-1].lower()
        content = self.reply
        if content is None:
            # The "model": a keyword rule, enough to see the wiring work.
            intent = "hours" if re.search(r"open|hours", message) else "location" if "where" in message else "oos"
            content = json.dumps({"intent": intent, "confidence": 0.9 if intent != "oos" else 0.2})
        return web.json_response({"choices": [{"index": 0, "message": {"role": "assistant", "content": content}}]})

    async def list_jobs(self, request: web.Request) -> web.Response:
        await self._record(request, None)
        if not self.offers_fine_tuning:
            raise web.HTTPNotFound()
        return web.json_response({"data": []})

    async def upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["file"]
        assert isinstance(upload, web.FileField)
        await self._record(request, {"purpose": form["purpose"], "file": upload.file.read().decode()})
        return web.json_response({"id": "file-1"})

    async def create_job(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self._record(request, body)
        return web.json_response({"id": "ftjob-1", "status": "queued"})

    async def get_job(self, request: web.Request) -> web.Response:
        await self._record(request, None)
        self.job_polls += 1
        if self.job_polls < 2:
            return web.json_response({"id": "ftjob-1", "status": "running"})
        return web.json_response({"id": "ftjob-1", "status": "succeeded", "fine_tuned_model": "ft:tiny:parrot"})
