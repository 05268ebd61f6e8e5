"""The fake main gateway: hello, identify, ready, guild create, dispatches, resume, and voice state requests.

Dispatches are numbered and kept, so a client that reconnects and RESUMEs gets every event it missed
while it was away, as Discord promises.
"""

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web

from support.fake_discord.voice import FakeVoiceServer
from support.fake_discord.world import World

JSON = dict[str, Any]

HELLO, HEARTBEAT, IDENTIFY, PRESENCE, VOICE_STATE, RESUME, RECONNECT, REQUEST_MEMBERS = 10, 1, 2, 3, 4, 6, 7, 8
DISPATCH, INVALID_SESSION, HEARTBEAT_ACK = 0, 9, 11
BOT_VOICE_SESSION = "bot-voice-session"


class FakeGateway:
    def __init__(self, world: World, voice: FakeVoiceServer, token: str, url: Callable[[], str]) -> None:
        self._world = world
        self._voice = voice
        self._token = token
        self._url = url
        self.identifies: list[JSON] = []
        self.resumes: list[JSON] = []
        self.voice_requests: list[JSON] = []
        self.errors: list[str] = []
        # Answer RESUME with "invalid session", as Discord does for a session it has dropped.
        self.refuse_resume = False
        self.ready = asyncio.Event()
        self.resumed = asyncio.Event()
        self._socket: web.WebSocketResponse | None = None
        self._send_lock = asyncio.Lock()
        self._session_id = ""
        self._sequence = 0
        self._history: list[JSON] = []

    def subscribed(self, intent: int) -> bool:
        """Whether the connected bot identified with `intent` (a bit): Discord sends other events to nobody."""
        return bool(self.identifies) and bool(int(self.identifies[-1].get("intents") or 0) & intent)

    @property
    def connected(self) -> bool:
        return self._socket is not None and not self._socket.closed

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        await socket.send_str(json.dumps({"op": HELLO, "d": {"heartbeat_interval": 41_250}}))
        try:
            async for message in socket:
                if message.type is aiohttp.WSMsgType.TEXT:
                    await self._on_frame(socket, json.loads(message.data))
                elif message.type is aiohttp.WSMsgType.BINARY:
                    self.errors.append("the client sent a binary gateway frame")
        finally:
            if self._socket is socket:
                self._socket = None
        return socket

    async def dispatch(self, event: str, data: JSON) -> None:
        """Send (or, while the client is away, keep for its RESUME) one numbered event."""
        async with self._send_lock:
            self._sequence += 1
            frame = {"op": DISPATCH, "t": event, "s": self._sequence, "d": data}
            self._history.append(frame)
            if self._socket is not None and not self._socket.closed:
                await self._socket.send_str(json.dumps(frame))

    async def drop(self, code: int = 4000) -> None:
        """Close the connection as Discord does when it restarts a gateway node; the client should resume."""
        self.resumed.clear()
        socket, self._socket = self._socket, None
        if socket is not None:
            await socket.close(code=code)

    async def _send(self, socket: web.WebSocketResponse, op: int, data: Any) -> None:
        async with self._send_lock:
            await socket.send_str(json.dumps({"op": op, "d": data}))

    async def _on_frame(self, socket: web.WebSocketResponse, frame: JSON) -> None:
        op: int = frame["op"]
        data: Any = frame.get("d")
        if op == HEARTBEAT:
            await self._send(socket, HEARTBEAT_ACK, None)
        elif op == IDENTIFY:
            await self._identify(socket, data)
        elif op == RESUME:
            await self._resume(socket, data)
        elif op == VOICE_STATE:
            await self._voice_state(data)
        elif op == PRESENCE:
            pass
        elif op == REQUEST_MEMBERS:
            members = [user.member_payload() for user in self._world.members]
            chunk = {"guild_id": data["guild_id"], "members": members, "chunk_index": 0, "chunk_count": 1}
            if data.get("nonce"):
                chunk["nonce"] = data["nonce"]
            await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)
        else:
            self.errors.append(f"unexpected gateway opcode {op}: {data}")

    async def _identify(self, socket: web.WebSocketResponse, data: JSON) -> None:
        self.identifies.append(data)
        if data.get("token") != self._token:
            await socket.close(code=4004, message=b"Authentication failed.")
            return
        async with self._send_lock:
            self._socket = socket
            self._session_id = uuid.uuid4().hex
            self._sequence = 0
            self._history = []
        bot = self._world.bot.payload() | {"verified": True, "mfa_enabled": False, "flags": 0}
        await self.dispatch(
            "READY",
            {
                "v": 10,
                "user": bot,
                "guilds": [{"id": str(self._world.guild_id), "unavailable": True}],
                "session_id": self._session_id,
                "resume_gateway_url": self._url(),
                "shard": data.get("shard") or [0, 1],
                "application": {"id": str(self._world.application_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "geo_ordered_rtc_regions": [],
            },
        )
        await self.dispatch("GUILD_CREATE", self._world.guild_payload())
        self.ready.set()

    async def _resume(self, socket: web.WebSocketResponse, data: JSON) -> None:
        self.resumes.append(data)
        if self.refuse_resume or data.get("token") != self._token or data.get("session_id") != self._session_id:
            await self._send(socket, INVALID_SESSION, False)
            return
        seen = int(data.get("seq") or 0)
        async with self._send_lock:
            self._socket = socket
            for frame in self._history:
                if frame["s"] > seen:
                    await socket.send_str(json.dumps(frame))
        await self.dispatch("RESUMED", {})
        self.resumed.set()

    async def _voice_state(self, data: JSON) -> None:
        self.voice_requests.append(data)
        world = self._world
        channel = data.get("channel_id")
        if channel is None:
            world.voice_states.pop(world.bot.id, None)
            await self.dispatch("VOICE_STATE_UPDATE", world.voice_state(world.bot.id, None, BOT_VOICE_SESSION))
            return
        deafened = bool(data.get("self_deaf"))
        if world.voice_states.get(world.bot.id) == int(channel) and world.self_deaf.get(world.bot.id) != deafened:
            # Only (un)deafening in the same channel: Discord sends the new voice state, no new server.
            world.self_deaf[world.bot.id] = deafened
            await self.dispatch("VOICE_STATE_UPDATE", world.voice_state(world.bot.id, int(channel), BOT_VOICE_SESSION))
            return
        world.self_deaf[world.bot.id] = deafened
        world.voice_states[world.bot.id] = int(channel)
        self._voice.expect_channel(int(channel))
        # The server update first: discord.py then handles both a first join and a rejoin while connected.
        await self.dispatch(
            "VOICE_SERVER_UPDATE",
            {"token": "fake-voice-token", "guild_id": str(world.guild_id), "endpoint": self._voice.endpoint},
        )
        await self.dispatch("VOICE_STATE_UPDATE", world.voice_state(world.bot.id, int(channel), BOT_VOICE_SESSION))
