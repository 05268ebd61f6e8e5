"""The fake main gateway: hello, identify, ready, guild create, dispatches, resume, and voice state requests.

Dispatches are numbered and kept per session, so a client that reconnects and RESUMEs gets every event it
missed while it was away, as Discord promises.

Shards, as Discord does them: one bot account may hold several gateway connections, each IDENTIFY naming
its `shard` ([shard_id, shard_count]; none means [0, 1]). A session's READY lists only its shard's guilds,
each followed by its GUILD_CREATE, and a guild's events go only to the sessions of the shard that holds it,
`(guild_id >> 22) % shard_count`; events outside guilds (direct messages) go to shard 0. An invalid shard
is refused with close code 4010.
"""

import asyncio
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from support.fake_discord.voice import FakeVoiceServer
from support.fake_discord.world import World, shard_of

JSON = dict[str, Any]

HELLO, HEARTBEAT, IDENTIFY, PRESENCE, VOICE_STATE, RESUME, RECONNECT, REQUEST_MEMBERS = 10, 1, 2, 3, 4, 6, 7, 8
DISPATCH, INVALID_SESSION, HEARTBEAT_ACK = 0, 9, 11
AUTHENTICATION_FAILED, INVALID_SHARD = 4004, 4010
BOT_VOICE_SESSION = "bot-voice-session"


@dataclass(slots=True, eq=False)
class Session:
    """One identified gateway session: its shard, its socket while connected, and its numbered events."""

    id: str
    shard: tuple[int, int]
    intents: int
    socket: web.WebSocketResponse | None
    sequence: int = 0
    history: list[JSON] = field(default_factory=list)
    # (event type, the payload's id or None) of every dispatch sent or kept for this session, for tests.
    delivered: list[tuple[str, str | None]] = field(default_factory=list)

    @property
    def connected(self) -> bool:
        return self.socket is not None and not self.socket.closed

    def holds(self, guild_id: int | None) -> bool:
        shard_id, shard_count = self.shard
        return shard_of(guild_id, shard_count) == shard_id if guild_id is not None else shard_id == 0


def valid_shard(shard: Any) -> tuple[int, int] | None:
    """The [shard_id, shard_count] of an IDENTIFY as a pair, or None where Discord would refuse it."""
    if shard is None:
        return (0, 1)
    if not isinstance(shard, list) or len(shard) != 2 or not all(type(n) is int for n in shard):
        return None
    shard_id, shard_count = shard
    return (shard_id, shard_count) if 0 <= shard_id < shard_count else None


class FakeGateway:
    def __init__(self, worlds: list[World], voice: FakeVoiceServer, token: str, url: Callable[[], str]) -> None:
        self._worlds = worlds  # the fake Discord's guilds, the first one being `FakeDiscord.world`
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
        self.sessions: list[Session] = []
        self._send_lock = asyncio.Lock()

    @property
    def connected(self) -> bool:
        return any(session.connected for session in self.sessions)

    def connected_shards(self) -> list[tuple[int, int]]:
        """The shard of each session connected now, in the order they identified."""
        return [session.shard for session in self.sessions if session.connected]

    def delivered_on(self, event: str, payload_id: str) -> list[tuple[int, int]]:
        """The shards of the sessions that were sent (or kept, while away) the event `event` about `payload_id`."""
        return [session.shard for session in self.sessions if (event, payload_id) in session.delivered]

    def world(self, guild_id: Any) -> World:
        for world in self._worlds:
            if world.guild_id == int(guild_id):
                return world
        raise KeyError(f"the fake Discord has no guild {guild_id}")

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
            for session in self.sessions:
                if session.socket is socket:
                    session.socket = None
        return socket

    async def dispatch(self, event: str, data: JSON, *, intent: int | None = None) -> None:
        """Send (or, while its client is away, keep for its RESUME) one numbered event to each session that
        holds its guild, among those that identified with `intent` (a bit) where one is given: Discord sends
        other events to nobody."""
        guild_id = int(data["guild_id"]) if data.get("guild_id") else None
        for session in list(self.sessions):
            if session.holds(guild_id) and (intent is None or session.intents & intent):
                await self._dispatch_to(session, event, data)

    async def drop(self, code: int = 4000, *, shard_id: int | None = None) -> None:
        """Close the connections (of one shard, or all) as Discord does when it restarts a gateway node;
        their clients should resume."""
        self.resumed.clear()
        for session in self.sessions:
            if session.socket is not None and shard_id in (None, session.shard[0]):
                socket, session.socket = session.socket, None
                await socket.close(code=code)

    async def _dispatch_to(self, session: Session, event: str, data: JSON) -> None:
        async with self._send_lock:
            session.sequence += 1
            frame = {"op": DISPATCH, "t": event, "s": session.sequence, "d": data}
            session.history.append(frame)
            session.delivered.append((event, str(data["id"]) if isinstance(data.get("id"), str) else None))
            if session.connected:
                assert session.socket is not None
                await session.socket.send_str(json.dumps(frame))

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
            members = [user.member_payload() for user in self.world(data["guild_id"]).members]
            chunk = {"guild_id": data["guild_id"], "members": members, "chunk_index": 0, "chunk_count": 1}
            if data.get("nonce"):
                chunk["nonce"] = data["nonce"]
            await self.dispatch("GUILD_MEMBERS_CHUNK", chunk)
        else:
            self.errors.append(f"unexpected gateway opcode {op}: {data}")

    async def _identify(self, socket: web.WebSocketResponse, data: JSON) -> None:
        self.identifies.append(data)
        if data.get("token") != self._token:
            await socket.close(code=AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return
        shard = valid_shard(data.get("shard"))
        if shard is None:
            await socket.close(code=INVALID_SHARD, message=b"Invalid shard.")
            return
        session = Session(uuid.uuid4().hex, shard, int(data.get("intents") or 0), socket)
        async with self._send_lock:
            # A session of the same shard that lost its connection is replaced; one still connected (another
            # process running the same shard) keeps receiving too, as on Discord.
            self.sessions = [
                old for old in self.sessions if old.socket is not socket and (old.connected or old.shard != shard)
            ]
            self.sessions.append(session)
        guilds = [world for world in self._worlds if session.holds(world.guild_id)]
        bot = self._worlds[0].bot.payload() | {"verified": True, "mfa_enabled": False, "flags": 0}
        await self._dispatch_to(
            session,
            "READY",
            {
                "v": 10,
                "user": bot,
                "guilds": [{"id": str(world.guild_id), "unavailable": True} for world in guilds],
                "session_id": session.id,
                "resume_gateway_url": self._url(),
                "shard": list(shard),
                "application": {"id": str(self._worlds[0].application_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "geo_ordered_rtc_regions": [],
            },
        )
        for world in guilds:
            await self._dispatch_to(session, "GUILD_CREATE", world.guild_payload())
        self.ready.set()

    async def _resume(self, socket: web.WebSocketResponse, data: JSON) -> None:
        self.resumes.append(data)
        session = next((s for s in self.sessions if s.id == data.get("session_id")), None)
        if self.refuse_resume or data.get("token") != self._token or session is None:
            await self._send(socket, INVALID_SESSION, False)
            return
        seen = int(data.get("seq") or 0)
        async with self._send_lock:
            session.socket = socket
            for frame in session.history:
                if frame["s"] > seen:
                    await socket.send_str(json.dumps(frame))
        await self._dispatch_to(session, "RESUMED", {})
        self.resumed.set()

    async def _voice_state(self, data: JSON) -> None:
        self.voice_requests.append(data)
        world = self.world(data["guild_id"])
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
        moved = world.voice_states.get(world.bot.id) not in (None, int(channel))
        world.voice_states[world.bot.id] = int(channel)
        self._voice.expect_channel(int(channel))
        if moved:
            # As Discord moves a bot: the old channel's voice server closes its websocket (4014), the new
            # voice state comes, then the new server. discord.py reconnects once it has both.
            await self._voice.drop(code=4014)
            await self.dispatch("VOICE_STATE_UPDATE", world.voice_state(world.bot.id, int(channel), BOT_VOICE_SESSION))
            await self.dispatch(
                "VOICE_SERVER_UPDATE",
                {"token": "fake-voice-token", "guild_id": str(world.guild_id), "endpoint": self._voice.endpoint},
            )
            return
        # The server update first: discord.py then handles both a first join and a rejoin while connected.
        await self.dispatch(
            "VOICE_SERVER_UPDATE",
            {"token": "fake-voice-token", "guild_id": str(world.guild_id), "endpoint": self._voice.endpoint},
        )
        await self.dispatch("VOICE_STATE_UPDATE", world.voice_state(world.bot.id, int(channel), BOT_VOICE_SESSION))
