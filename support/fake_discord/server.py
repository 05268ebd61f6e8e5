"""A fake Discord on 127.0.0.1: REST API, gateway, attachment CDN and voice, enough for the real discord.py.

It holds one guild (`world`) by default; `add_guild` adds more of the same bot account, on chosen shards,
for a bot that runs several gateway connections (see `gateway.py`).

Every REST call is recorded as a `Call`. A route the fake does not know is answered 404 and recorded,
and `stop()` fails loudly if any such route (or any protocol error) was seen, so a test can never pass
while the bot talks to an endpoint nobody checked.
"""

import asyncio
import contextlib
import json
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from aiohttp import BodyPartReader, web

from support.fake_discord.gateway import FakeGateway
from support.fake_discord.limits import (
    Interactions,
    RateLimits,
    Refusal,
    callback_problems,
    invalid_form_body,
    message_problems,
)
from support.fake_discord.openapi import DiscordSpec
from support.fake_discord.tls import TlsFiles, make_certificates
from support.fake_discord.voice import FakeVoiceServer
from support.fake_discord.world import IS_VOICE_MESSAGE, JSON, User, World, now_iso

API_PREFIX = "/api/v10"
TOKEN = "fake-discord-token"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Upload:
    name: str
    filename: str
    content_type: str
    data: bytes = field(repr=False)


# What the recording middleware parsed, for the route handlers.
BODY: web.RequestKey[Any] = web.RequestKey("body")
UPLOADS = web.RequestKey("uploads", list[Upload])


@dataclass(frozen=True, slots=True)
class Call:
    """One REST request the bot made, as the fake understood it."""

    method: str
    route: str  # e.g. "POST /channels/{channel_id}/messages"
    path: str
    query: dict[str, str]
    body: Any  # the JSON body, or a multipart request's payload_json
    uploads: tuple[Upload, ...]
    status: int

    @property
    def content(self) -> str:
        return str(self.body.get("content") or "") if isinstance(self.body, dict) else ""

    @property
    def reply_to(self) -> int | None:
        reference = self.body.get("message_reference") if isinstance(self.body, dict) else None
        return int(reference["message_id"]) if reference else None


@dataclass(slots=True)
class _RateLimit:
    route: str
    retry_after: float
    remaining: int


SEND_MESSAGE = "POST /channels/{channel_id}/messages"
EDIT_MESSAGE = "PATCH /channels/{channel_id}/messages/{message_id}"
ADD_REACTION = "PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"
REMOVE_REACTION = "DELETE /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"
INTERACTION_CALLBACK = "POST /interactions/{interaction_id}/{token}/callback"
FOLLOWUP = "POST /webhooks/{application_id}/{token}"

# Interaction types (https://discord.com/developers/docs/interactions/receiving-and-responding).
APPLICATION_COMMAND, MESSAGE_COMPONENT, MODAL_SUBMIT = 2, 3, 5
EPHEMERAL = 1 << 6


GUILD_REACTIONS = 1 << 10
DM_REACTIONS = 1 << 13


def _token_in_path(route: str) -> bool:
    """Interaction callbacks and webhooks authenticate by the token in their path, not a header."""
    return route.split(" ", 1)[1].startswith(("/interactions/", "/webhooks/"))


def _as_sent_back(components: list[JSON]) -> list[JSON]:
    """Components as Discord returns them: each numbered (`id`, from 1 in the order given) where the bot gave none."""
    counter = iter(range(1, 1_000))

    def numbered(component: JSON) -> JSON:
        out: JSON = {"id": next(counter), **component}
        emoji = component.get("emoji")
        if isinstance(emoji, dict) and emoji.get("id") is None:
            out["emoji"] = {key: value for key, value in emoji.items() if key != "id"}  # a Unicode emoji has no id
        if "components" in component:
            out["components"] = [numbered(child) for child in component["components"]]
        return out

    return [numbered(component) for component in components]


def _permissions_as_string(command: JSON) -> JSON:
    permissions = command.get("default_member_permissions")
    return {"default_member_permissions": None if permissions is None else str(permissions)}


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py parses a body as JSON only when Content-Type is exactly this (no charset suffix).
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json", **(headers or {})}
    )


class FakeDiscord:
    def __init__(
        self,
        *,
        dave: bool = False,
        token: str = TOKEN,
        echo_own_messages: bool = True,
        bot_may_rename: bool = False,
        shard_count: int = 1,
    ) -> None:
        # The shards Discord recommends (GET /gateway/bot), and over which `add_guild` places guilds.
        self.shard_count = shard_count
        self.world = World(bot_may_rename=bot_may_rename, shard=(0, shard_count))
        self.worlds = [self.world]
        self.token = token
        self.echo_own_messages = echo_own_messages
        self.calls: list[Call] = []
        self.unknown: list[str] = []
        self.spec = DiscordSpec.load()
        self.against_spec: list[str] = []  # requests and answers that break Discord's OpenAPI description
        self.refused: list[str] = []  # what Discord would have refused (limits.py), answered as it would
        self.clock: Callable[[], float] = time.monotonic  # interactions' deadlines and rate limits; tests move it
        self.interactions = Interactions(lambda: self.clock())
        self.rate_limits = RateLimits(lambda: self.clock())
        self.downloads: list[str] = []  # CDN paths the bot fetched
        self.stalled_downloads = 0  # the next this many CDN requests never answer (a CDN that hangs)
        self._stopping = asyncio.Event()
        self.messages: dict[int, JSON] = {}
        self.registered_commands: dict[str, list[JSON]] = {}
        self._folder = tempfile.TemporaryDirectory(prefix="fake-discord-")
        self.tls: TlsFiles = make_certificates(Path(self._folder.name))
        self.voice = FakeVoiceServer(self.tls, dave=dave)
        self.gateway = FakeGateway(self.worlds, self.voice, token, lambda: self.gateway_url)
        self.voice.members_in = self._members_in
        self._cdn: dict[str, tuple[str, bytes]] = {}
        self._rate_limits: list[_RateLimit] = []
        self._waiters: list[tuple[Callable[[Call], bool], asyncio.Future[Call]]] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle --------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def ca_file(self) -> Path:
        return self.tls.ca_file

    async def start(self) -> None:
        app = web.Application(middlewares=[self._record], client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/cdn/attachments/{channel_id}/{attachment_id}/{filename}", self._cdn_file)
        for method, route, handler in self._routes():
            app.router.add_route(method, API_PREFIX + route.split(" ", 1)[1], handler)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.Server)
        self.port = server.sockets[0].getsockname()[1]
        await self.voice.start()

    async def stop(self) -> None:
        self._stopping.set()  # stalled downloads give up, so the server can close
        await self.voice.stop()
        if self._runner is not None:
            await self._runner.shutdown()
            await self._runner.cleanup()
        self._folder.cleanup()

    def problems(self) -> list[str]:
        return [
            *(f"unknown route {u}" for u in self.unknown),
            *self.against_spec,
            *(f"Discord would refuse {refusal}" for refusal in self.refused),
            *self.gateway.errors,
            *self.voice.errors,
        ]

    def check(self) -> None:
        problems = self.problems()
        if problems:
            raise AssertionError("the fake Discord saw problems:\n" + "\n".join(problems))

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.stop()
        if kind is None:
            self.check()

    # -- what tests do ----------------------------------------------------------------------------

    def add_guild(self, shard_id: int, name: str = "Another Test Server") -> World:
        """Another guild of the bot, whose id falls on `shard_id` (of `shard_count`); add it before the bot connects.

        Talk in it through its own channels and people:
        `send_message(guild.alice, "!hi", channel_id=guild.text_channel.id)`. Interactions (slash commands,
        buttons, forms) still happen in the first guild only.
        """
        if not 0 <= shard_id < self.shard_count:
            raise ValueError(f"shard {shard_id} is not one of the fake's {self.shard_count} shards")
        world = self.world.another_guild((shard_id, self.shard_count), name)
        self.worlds.append(world)
        return world

    def world_of_channel(self, channel_id: int) -> World | None:
        """The guild a channel belongs to; None for a direct-message channel."""
        return next((world for world in self.worlds if world.has_channel(channel_id)), None)

    def add_attachment(
        self, filename: str, data: bytes, content_type: str, *, channel_id: int | None = None, voice: bool = False
    ) -> JSON:
        """Put a file on the fake CDN and return the attachment object a message would carry."""
        channel = channel_id or self.world.text_channel.id
        attachment_id = self.world.ids.next()
        self._cdn[f"{channel}/{attachment_id}/{filename}"] = (content_type, data)
        url = f"{self.base_url}/cdn/attachments/{channel}/{attachment_id}/{filename}"
        attachment: JSON = {
            "id": str(attachment_id),
            "filename": filename,
            "size": len(data),
            "url": url,
            "proxy_url": url,
            "content_type": content_type,
        }
        if voice:
            attachment.update(duration_secs=1.0, waveform="AAAA")
        return attachment

    async def send_message(
        self,
        author: User,
        content: str = "",
        *,
        channel_id: int | None = None,
        attachments: Iterable[JSON] = (),
        reply_to: int | None = None,
        voice_message: bool = False,
    ) -> JSON:
        """A user posts a message: the bot receives MESSAGE_CREATE over the gateway."""
        channel = channel_id or self.world.text_channel.id
        message = self._message(author, channel, content, list(attachments), reply_to)
        if voice_message:
            message["flags"] = IS_VOICE_MESSAGE
        await self.gateway.dispatch("MESSAGE_CREATE", message)
        return message

    async def react(self, user: User, message: JSON, emoji: str = "\N{THUMBS DOWN SIGN}") -> None:
        """A user adds a reaction to `message`: the bot receives MESSAGE_REACTION_ADD over the gateway."""
        payload: JSON = {
            "user_id": str(user.id),
            "channel_id": message["channel_id"],
            "message_id": message["id"],
            "message_author_id": message["author"]["id"],
            "emoji": {"id": None, "name": emoji},
            "burst": False,
            "type": 0,
        }
        if "guild_id" in message:
            payload["guild_id"] = message["guild_id"]
            payload["member"] = user.member_payload(with_user=True)
        # A bot without the reactions intent is not told.
        intent = GUILD_REACTIONS if "guild_id" in message else DM_REACTIONS
        await self.gateway.dispatch("MESSAGE_REACTION_ADD", payload, intent=intent)

    async def delete_message(self, message_id: int) -> None:
        """Someone deletes a message: the bot receives MESSAGE_DELETE, and editing it is answered 404 from now on."""
        message = self.messages.pop(message_id)
        payload: JSON = {"id": str(message_id), "channel_id": message["channel_id"]}
        if "guild_id" in message:
            payload["guild_id"] = message["guild_id"]
        await self.gateway.dispatch("MESSAGE_DELETE", payload)

    def stored_replies(self, message: JSON) -> list[JSON]:
        """The messages (as they are now, after edits) that reply to `message`."""
        return [
            stored
            for stored in self.messages.values()
            if (stored.get("message_reference") or {}).get("message_id") == message["id"]
        ]

    async def invoke_slash(
        self, user: User, name: str, options: dict[str, str | int] | None = None, attachment: JSON | None = None
    ) -> JSON:
        """A user runs `/name`: the bot receives INTERACTION_CREATE."""
        world = self.world
        data: JSON = {
            "id": str(world.ids.next()),
            "name": name,
            "type": 1,
            "guild_id": str(world.guild_id),
            "options": [
                {"name": key, "type": 4 if isinstance(value, int) else 3, "value": value}
                for key, value in (options or {}).items()
            ],
        }
        if attachment is not None:
            data["options"].append({"name": "file", "type": 11, "value": attachment["id"]})
            data["resolved"] = {"attachments": {attachment["id"]: attachment}}
        return await self._interact(user, APPLICATION_COMMAND, data)

    async def invoke_message_command(self, user: User, name: str, target: JSON) -> JSON:
        """A user picks `name` in a message's menu (Apps): an application command of type 3 on `target`."""
        data: JSON = {
            "id": str(self.world.ids.next()),
            "name": name,
            "type": 3,
            "guild_id": str(self.world.guild_id),
            "target_id": target["id"],
            "resolved": {"messages": {target["id"]: target}},
        }
        return await self._interact(user, APPLICATION_COMMAND, data)

    async def click_button(self, user: User, message: JSON, custom_id: str) -> JSON:
        """A user clicks the button `custom_id` under `message` (which must carry it, as Discord checks)."""
        buttons = [
            component
            for row in message.get("components") or []
            for component in row.get("components") or []
            if component.get("custom_id") == custom_id
        ]
        if not buttons:
            raise AssertionError(f"message {message['id']} has no component {custom_id!r}")
        data: JSON = {"custom_id": custom_id, "component_type": 2}
        return await self._interact(user, MESSAGE_COMPONENT, data, message=message)

    async def submit_modal(
        self, user: User, modal: JSON, values: dict[str, str], *, message: JSON | None = None
    ) -> JSON:
        """A user fills in the form the bot opened (`modal`: the data of its type 9 callback) and submits it."""
        rows: list[JSON] = []
        for row in modal.get("components") or []:
            inputs = row.get("components") or ([row["component"]] if "component" in row else [])
            rows.append(
                {
                    "type": 1,
                    "components": [
                        {"type": 4, "custom_id": item["custom_id"], "value": values.get(item["custom_id"], "")}
                        for item in inputs
                    ],
                }
            )
        data: JSON = {"custom_id": modal["custom_id"], "components": rows}
        return await self._interact(user, MODAL_SUBMIT, data, message=message)

    def callbacks_to(self, interaction: JSON) -> list[Call]:
        """The bot's callbacks to `interaction` (type 4/5: a message or "thinking", 9: a form; flags 64: ephemeral)."""
        return [call for call in self.calls_to(INTERACTION_CALLBACK) if call.path.split("/")[-3] == interaction["id"]]

    def followups_to(self, interaction: JSON) -> list[Call]:
        """The bot's follow-up messages answering `interaction` (sent with its token)."""
        token = interaction["token"]
        return [call for call in self.calls_to(FOLLOWUP) if call.path.split("/")[-1] == token]

    async def _interact(self, user: User, kind: int, data: JSON, *, message: JSON | None = None) -> JSON:
        world = self.world
        interaction_id = world.ids.next()
        interaction: JSON = {
            "id": str(interaction_id),
            "application_id": str(world.application_id),
            "type": kind,
            "token": f"interaction-token-{interaction_id}",
            "version": 1,
            "guild_id": str(world.guild_id),
            "channel_id": str(world.text_channel.id),
            "channel": world.text_channel.payload(world.guild_id, 0),
            "member": user.member_payload() | {"permissions": str(world.permissions(user))},
            "app_permissions": str(world.permissions(world.bot)),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(world.guild_id)},
            "context": 0,
            "attachment_size_limit": 25 * 1024 * 1024,
            "data": data,
        }
        if message is not None:
            interaction["message"] = message
        self.interactions.created(interaction["id"], interaction["token"])
        await self.gateway.dispatch("INTERACTION_CREATE", interaction)
        return interaction

    async def move_to_voice(self, user: User, channel_id: int | None) -> None:
        """A user joins (or leaves, with None) a voice channel."""
        left = next((world.voice_states[user.id] for world in self.worlds if user.id in world.voice_states), None)
        if channel_id is None:
            world = next((world for world in self.worlds if user.id in world.voice_states), self.world)
            world.voice_states.pop(user.id, None)
        else:
            world = self.world_of_channel(channel_id) or self.world
            world.voice_states[user.id] = channel_id
        await self.gateway.dispatch("VOICE_STATE_UPDATE", world.voice_state(user.id, channel_id, f"voice-{user.id}"))
        await self.voice.member_moved(user.id, left, channel_id)

    def _members_in(self, channel_id: int) -> list[int]:
        return [user for world in self.worlds for user, channel in world.voice_states.items() if channel == channel_id]

    def rate_limit(self, route: str, *, retry_after: float = 0.05, times: int = 1) -> None:
        """Answer the next `times` calls of `route` with 429, as Discord's rate limiter does."""
        self._rate_limits.append(_RateLimit(route, retry_after, times))

    async def wait_for(self, predicate: Callable[[Call], bool], *, since: int = 0, timeout: float = 5.0) -> Call:
        """The first call from index `since` on that matches, waiting for it if need be."""
        for call in self.calls[since:]:
            if predicate(call):
                return call
        future: asyncio.Future[Call] = asyncio.get_running_loop().create_future()
        waiter = (predicate, future)
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(timeout):
                return await future
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    async def reply_to(self, message: JSON, *, since: int = 0, timeout: float = 5.0) -> Call:
        """The bot's reply that references `message` (looking from call `since` on)."""
        message_id = int(message["id"])
        return await self.wait_for(
            lambda c: c.route == SEND_MESSAGE and c.status == 200 and c.reply_to == message_id,
            since=since,
            timeout=timeout,
        )

    def calls_to(self, route: str) -> list[Call]:
        return [call for call in self.calls if call.route == route]

    # -- REST -------------------------------------------------------------------------------------

    def _routes(self) -> list[tuple[str, str, Handler]]:
        return [
            ("GET", "GET /users/@me", self._me),
            ("GET", "GET /gateway/bot", self._gateway_bot),
            ("GET", "GET /oauth2/applications/@me", self._application),
            ("POST", SEND_MESSAGE, self._create_message),
            ("GET", "GET /channels/{channel_id}/messages/{message_id}", self._get_message),
            ("PATCH", EDIT_MESSAGE, self._edit_message),
            ("PATCH", "PATCH /guilds/{guild_id}/members/@me", self._rename_bot),
            ("PUT", ADD_REACTION, self._add_reaction),
            ("DELETE", REMOVE_REACTION, self._no_content),
            ("PUT", "PUT /applications/{application_id}/commands", self._register_commands),
            ("PUT", "PUT /applications/{application_id}/guilds/{guild_id}/commands", self._register_commands),
            ("POST", INTERACTION_CALLBACK, self._interaction_callback),
            ("POST", FOLLOWUP, self._followup),
            ("PATCH", "PATCH /webhooks/{application_id}/{token}/messages/@original", self._followup),
            ("DELETE", "DELETE /webhooks/{application_id}/{token}/messages/@original", self._no_content),
        ]

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        body, uploads = await self._read_body(request)
        request[BODY], request[UPLOADS] = body, uploads
        resource = request.match_info.route.resource
        template = resource.canonical[len(API_PREFIX) :] if resource is not None else request.path
        route = f"{request.method} {template}"
        limit = next((rl for rl in self._rate_limits if rl.route == route and rl.remaining > 0), None)
        if limit is not None:
            limit.remaining -= 1
            response: web.StreamResponse = json_response(
                {"message": "You are being rate limited.", "retry_after": limit.retry_after, "global": False},
                status=429,
                headers={"Via": "1.1 google", "Retry-After": "1", "X-RateLimit-Scope": "user"},
            )
        elif not _token_in_path(route) and request.headers.get("Authorization") != f"Bot {self.token}":
            response = json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        else:
            response = await self._within_rate_limits(request, route, handler)
        self._check_against_spec(request, body, response)
        call = Call(request.method, route, request.path, dict(request.query), body, tuple(uploads), response.status)
        self.calls.append(call)
        for predicate, future in list(self._waiters):
            if not future.done() and predicate(call):
                future.set_result(call)
        return response

    async def _within_rate_limits(self, request: web.Request, route: str, handler: Handler) -> web.StreamResponse:
        info = request.match_info
        major = info.get("channel_id") or info.get("guild_id") or info.get("token") or ""
        headers, limited = self.rate_limits.check(route, major)
        if limited is not None:
            return json_response(limited, status=429, headers=headers)
        response = await handler(request)
        response.headers.update(headers)
        return response

    def _refuse(self, request: web.Request, refusal: Refusal) -> web.Response:
        self.refused.append(f"{request.method} {request.path[len(API_PREFIX) :]}: {refusal.summary}")
        return json_response(refusal.body, refusal.status)

    def _form_refusal(self, request: web.Request, problems: dict[str, Any]) -> web.Response | None:
        return self._refuse(request, invalid_form_body(problems)) if problems else None

    def _check_against_spec(self, request: web.Request, body: Any, response: web.StreamResponse) -> None:
        path = request.path[len(API_PREFIX) :]
        operation = self.spec.operation(request.method, path)
        if operation is None:
            self.against_spec.append(f"{request.method} {path}: no operation of Discord's API matches")
            return
        name = f"{request.method} {path} ({operation.operation_id})"
        for problem in self.spec.request_problems(operation, request.content_type, body):
            self.against_spec.append(f"{name} request: {problem}")
        answer: Any = None
        if isinstance(response, web.Response) and response.body and response.content_type == "application/json":
            answer = json.loads(bytes(response.body))  # type: ignore[arg-type]
        for problem in self.spec.response_problems(operation, response.status, answer):
            self.against_spec.append(f"{name} answer {response.status}: {problem}")

    async def _read_body(self, request: web.Request) -> tuple[Any, list[Upload]]:
        if not request.can_read_body:
            return None, []
        if request.content_type == "application/json":
            return await request.json(), []
        if request.content_type.startswith("multipart/"):
            body: Any = None
            uploads: list[Upload] = []
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue
                data = await part.read()
                if part.name == "payload_json":
                    body = json.loads(data)
                else:
                    content_type = part.headers.get("Content-Type", "")
                    uploads.append(Upload(part.name or "", part.filename or "", content_type, bytes(data)))
            return body, uploads
        return await request.read(), []

    async def _unknown(self, request: web.Request) -> web.Response:
        self.unknown.append(f"{request.method} {request.path}")
        return json_response({"message": "404: Not Found (the fake does not know this route)", "code": 0}, 404)

    async def _me(self, request: web.Request) -> web.Response:
        bot = self.world.bot.payload()
        return json_response(bot | {"verified": True, "mfa_enabled": False, "flags": 0, "locale": "en-US"})

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        """Where to connect and how many shards to run: what an AutoShardedBot without shard_count asks first."""
        limit = {"total": 1000, "remaining": 1000 - len(self.gateway.identifies), "reset_after": 86_400_000}
        return json_response(
            {"url": self.gateway_url, "shards": self.shard_count, "session_start_limit": limit | {"max_concurrency": 1}}
        )

    async def _application(self, request: web.Request) -> web.Response:
        return json_response(self.world.application_payload())

    async def _no_content(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def _add_reaction(self, request: web.Request) -> web.Response:
        if int(request.match_info["message_id"]) not in self.messages:
            return self._refuse(request, Refusal(404, {"message": "Unknown Message", "code": 10008}))
        return web.Response(status=204)

    async def _rename_bot(self, request: web.Request) -> web.Response:
        world = self.gateway.world(request.match_info["guild_id"])
        if not world.bot_may_rename:
            return json_response({"message": "Missing Permissions", "code": 50013}, 403)
        nick = (request[BODY] or {}).get("nick") or None  # an empty nickname resets it, as on Discord
        world.nicknames[world.bot.id] = nick
        return json_response(world.bot.member_payload() | {"nick": nick})

    async def _create_message(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel_id"])
        body = request[BODY] or {}
        if refused := self._form_refusal(request, message_problems(body)):
            return refused
        reference = body.get("message_reference") or {}
        reply_to = int(reference["message_id"]) if reference.get("message_id") else None
        attachments = [self._uploaded(channel_id, upload) for upload in request[UPLOADS]]
        message = self._message(self.world.bot, channel_id, body.get("content") or "", attachments, reply_to)
        message["components"] = _as_sent_back(body.get("components") or [])
        if self.echo_own_messages:
            # Discord sends the bot its own messages too; the bot must ignore them.
            await self.gateway.dispatch("MESSAGE_CREATE", message)
        return json_response(message)

    async def _get_message(self, request: web.Request) -> web.Response:
        message = self.messages.get(int(request.match_info["message_id"]))
        if message is None:
            return json_response({"message": "Unknown Message", "code": 10008}, 404)
        return json_response(message)

    async def _edit_message(self, request: web.Request) -> web.Response:
        message = self.messages.get(int(request.match_info["message_id"]))
        if message is None:
            return json_response({"message": "Unknown Message", "code": 10008}, 404)
        body = request[BODY] or {}
        if refused := self._form_refusal(request, message_problems(body)):
            return refused
        if "content" in body:
            message["content"] = body["content"]
        message["edited_timestamp"] = now_iso()
        return json_response(message)

    async def _register_commands(self, request: web.Request) -> web.Response:
        scope = request.match_info.get("guild_id", "global")
        registered = [
            {"description": ""}  # Discord answers a message-menu entry with an empty description
            | command
            | {"id": str(self.world.ids.next()), "application_id": str(self.world.application_id), "version": "1"}
            # Discord fills in where a command may be installed when the bot leaves it unset: guilds (0).
            | {"integration_types": command.get("integration_types") or [0]}
            # Permissions are strings of digits in what Discord sends back, whatever the request held.
            | _permissions_as_string(command)
            for command in request[BODY] or []
        ]
        self.registered_commands[scope] = registered
        return json_response(registered)

    async def _interaction_callback(self, request: web.Request) -> web.Response:
        body = request[BODY] or {}
        if refused := self._form_refusal(request, callback_problems(body)):
            return refused
        if late_or_twice := self.interactions.answer(request.match_info["interaction_id"]):
            return self._refuse(request, late_or_twice)
        kind = int(body.get("type", 0))
        data = body.get("data") or {}
        interaction: JSON = {
            "id": request.match_info["interaction_id"],
            "type": 2,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(int(data.get("flags", 0)) & 64),
        }
        if kind != 4:
            # Discord describes a created resource only for a message (4), an update (7) or an activity (12).
            return json_response({"interaction": interaction})
        channel_id = self.world.text_channel.id
        message = self._message(self.world.bot, channel_id, data.get("content") or "", [], None)
        return json_response({"interaction": interaction, "resource": {"type": kind, "message": message}})

    async def _followup(self, request: web.Request) -> web.Response:
        body = request[BODY] or {}
        if refused := self._form_refusal(request, message_problems(body)):
            return refused
        if expired := self.interactions.follow_up(request.match_info["token"]):
            return self._refuse(request, expired)
        channel_id = self.world.text_channel.id
        attachments = [self._uploaded(channel_id, upload) for upload in request[UPLOADS]]
        message = self._message(self.world.bot, channel_id, body.get("content") or "", attachments, None)
        message["components"] = _as_sent_back(body.get("components") or [])
        message["flags"] = int(body.get("flags") or 0)
        return json_response(message)

    async def _cdn_file(self, request: web.Request) -> web.Response:
        key = "/".join(request.match_info[k] for k in ("channel_id", "attachment_id", "filename"))
        found = self._cdn.get(key)
        if found is None:
            self.unknown.append(f"GET {request.path} (no such attachment)")
            return web.Response(status=404)
        self.downloads.append(request.path)
        if self.stalled_downloads > 0:
            self.stalled_downloads -= 1
            await self._stopping.wait()
            return web.Response(status=503)
        content_type, data = found
        return web.Response(body=data, headers={"Content-Type": content_type})

    # -- payloads ---------------------------------------------------------------------------------

    def _uploaded(self, channel_id: int, upload: Upload) -> JSON:
        return self.add_attachment(upload.filename, upload.data, upload.content_type, channel_id=channel_id)

    def _message(
        self, author: User, channel_id: int, content: str, attachments: list[JSON], reply_to: int | None
    ) -> JSON:
        world = self.world_of_channel(channel_id)
        message: JSON = {
            "id": str(self.world.ids.next()),
            "channel_id": str(channel_id),
            "type": 19 if reply_to else 0,
            "content": content,
            "author": author.payload(),
            "attachments": attachments,
            "embeds": [],
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": False,
            "timestamp": now_iso(),
            "edited_timestamp": None,
            "flags": 0,
            "components": [],
        }
        if world is not None:
            message["guild_id"] = str(world.guild_id)
            message["member"] = author.member_payload(with_user=False)
        if reply_to is not None:
            message["message_reference"] = {"message_id": str(reply_to), "channel_id": str(channel_id), "type": 0}
            message["referenced_message"] = self.messages.get(reply_to)
        self.messages[int(message["id"])] = message
        return message
