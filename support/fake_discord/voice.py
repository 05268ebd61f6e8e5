"""The fake voice server: a TLS websocket for signalling, a UDP socket for audio, an ear and a mouth.

It plays Discord's side of the voice handshake (hello, ready, IP discovery, select protocol, session
description), answers heartbeats, decrypts every RTP packet in the mode the bot chose among those it
offered (`modes`: aead_xchacha20_poly1305_rtpsize first by default, or aead_aes256_gcm_rtpsize first as
Discord offers them) and, when DAVE is on, plays the MLS external sender and decrypts the end-to-end layer
with its own session.
Its mouth relays other members' speech to the bot as Discord does: 20 ms Opus frames in RTP with the
member's SSRC, sealed with the session's key, and DAVE-encrypted by the member's own session when DAVE is on.
Who is behind an SSRC is said as sparingly as Discord says it: CLIENTS_CONNECT (op 11) with the members
already in the channel when the bot connects, and for each member who joins; SPEAKING (op 5) once per
member's stream per connection, when they first speak; CLIENT_DISCONNECT (op 13) when a member leaves.
"""

import asyncio
import json
import os
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import aiohttp
import davey
import nacl.bindings
from aiohttp import web
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from support.fake_discord.mls import ExternalSender, split_commit_welcome, vector
from support.fake_discord.tls import TlsFiles

JSON = dict[str, Any]
XCHACHA = "aead_xchacha20_poly1305_rtpsize"
AES_GCM = "aead_aes256_gcm_rtpsize"
# The modes the fake seals and opens. It offers others too, as Discord does, but a bot choosing one is flagged.
SEALING_MODES = (AES_GCM, XCHACHA)
# What the fake offers unless told otherwise: XChaCha20, the mode every client must support, first.
MODES = [XCHACHA, "xsalsa20_poly1305_lite", "xsalsa20_poly1305"]
# As Discord's voice servers offer them: AES-256-GCM, Discord's preferred mode, first.
DISCORD_MODES = [AES_GCM, "aead_aes256_gcm", XCHACHA, "xsalsa20_poly1305_lite_rtpsize", "xsalsa20_poly1305"]
DAVE_MAGIC = b"\xfa\xfa"
LISTENER_ID = 4242  # the fake's own DAVE participant, who decrypts what the bot says
OPUS_SILENCE = b"\xf8\xff\xfe"
# One-byte header extension (RFC 8285) as Discord clients send it: an audio-level element.
EXTENSION_PREAMBLE = b"\xbe\xde\x00\x01"
EXTENSION_BODY = b"\x10\x7f\x00\x00"


def seal_payload(mode: str, key: bytes, header: bytes, plaintext: bytes, counter: bytes) -> bytes:
    """An "rtpsize" mode's sealing: the header authenticated, the nonce the 4-byte counter padded with zeros."""
    if mode == AES_GCM:
        return AESGCM(key).encrypt(counter + bytes(8), plaintext, header)
    if mode == XCHACHA:
        return nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, header, counter + bytes(20), key)
    raise ValueError(f"the fake does not seal {mode}")


def open_payload(mode: str, key: bytes, header: bytes, sealed: bytes, counter: bytes) -> bytes:
    """What `seal_payload` sealed; raises when it does not authenticate."""
    if mode == AES_GCM:
        return AESGCM(key).decrypt(counter + bytes(8), sealed, header)
    if mode == XCHACHA:
        return nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(sealed, header, counter + bytes(20), key)
    raise ValueError(f"the fake does not open {mode}")


def seal(mouth: "Mouth", opus: bytes, key: bytes, mode: str = XCHACHA, payload_type: int = 0x78) -> bytes:
    """An RTP packet with a header extension, its body and payload sealed as the "rtpsize" modes do."""
    header = struct.pack(">BBHII", 0x90, payload_type, mouth.sequence, mouth.timestamp, mouth.ssrc)
    header += EXTENSION_PREAMBLE
    counter = struct.pack(">I", mouth.nonce)
    return header + seal_payload(mode, key, header, EXTENSION_BODY + opus, counter) + counter


@dataclass(slots=True)
class Mouth:
    """One member's outgoing audio stream: its SSRC and the counters a client keeps."""

    user_id: int
    ssrc: int
    sequence: int = 0
    timestamp: int = 0
    nonce: int = 0

    def step(self) -> None:
        """On to the next 20 ms packet."""
        self.sequence = (self.sequence + 1) & 0xFFFF
        self.timestamp = (self.timestamp + 960) & 0xFFFF_FFFF
        self.nonce += 1


@dataclass(frozen=True, slots=True)
class Frame:
    sequence: int
    timestamp: int
    ssrc: int
    opus: bytes
    end_to_end_encrypted: bool
    # When the fake received it (time.monotonic, the event loop's clock), for latency figures.
    received_at: float = field(default_factory=time.monotonic)


@dataclass(slots=True)
class VoiceConnection:
    """One voice websocket session: what the bot identified with and chose."""

    user_id: int
    server_id: int
    session_id: str
    token: str
    ssrc: int
    max_dave_version: int
    mode: str = ""
    secret_key: bytes = field(default_factory=lambda: os.urandom(32))
    speaking: list[int] = field(default_factory=list)
    # (user id, SSRC) of the streams SPEAKING named on this connection: Discord names each once.
    announced: set[tuple[int, int]] = field(default_factory=set)

    @property
    def sealing_mode(self) -> str:
        """The mode the bot chose; mid-handshake, before it chose, XChaCha20 (the bot has no key to open it yet)."""
        return self.mode or XCHACHA


class _Ear(asyncio.DatagramProtocol):
    def __init__(self, server: "FakeVoiceServer") -> None:
        self._server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        if len(data) == 74 and data[:2] == b"\x00\x01":
            # IP discovery: answer with the address and port we saw the packet come from.
            ssrc = struct.unpack_from(">I", data, 4)[0]
            answer = (
                struct.pack(">HHI", 2, 70, ssrc) + str(addr[0]).encode().ljust(64, b"\0") + struct.pack(">H", addr[1])
            )
            assert self.transport is not None
            self.transport.sendto(answer, addr)
            self._server.bot_address = (str(addr[0]), addr[1])
            return
        self._server.receive_rtp(data)


class FakeVoiceServer:
    def __init__(self, tls: TlsFiles, *, dave: bool = False) -> None:
        self._tls = tls
        self.dave = dave
        self.frames: list[Frame] = []
        self.connections: list[VoiceConnection] = []
        self.errors: list[str] = []
        # Every JSON message sent to the bot, (connection index, op, data): what tests read Discord as having said.
        self.sent: list[tuple[int, int, Any]] = []
        # The encryption modes offered to the bot, in order of preference (set before the bot connects).
        self.modes: list[str] = list(MODES)
        self.dave_ready = asyncio.Event()
        # Cleared, the server takes identifies but holds its answers: a bot stuck mid-handshake.
        self.answering = asyncio.Event()
        self.answering.set()
        self.connected = asyncio.Event()
        self._current: VoiceConnection | None = None
        self._socket: web.WebSocketResponse | None = None
        self._sequence = 0
        self._listener: davey.DaveSession | None = None
        self._external_sender = ExternalSender()
        self._runner: web.AppRunner | None = None
        self._ear: _Ear | None = None
        self._dave_channel = 0
        # The bot's voice channel, and who else is in a channel (the fake Discord fills this in from its world).
        self.channel_id = 0
        self.members_in: Callable[[int], list[int]] = lambda channel_id: []
        # The DAVE participant the fake adds to the group: it decrypts the bot and speaks as this member.
        self.dave_member_id = LISTENER_ID
        self.bot_address: tuple[str, int] | None = None
        self.port = 0
        self.udp_port = 0

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/", self._websocket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self._tls.server_context())
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.Server)
        self.port = server.sockets[0].getsockname()[1]
        loop = asyncio.get_running_loop()
        transport, ear = await loop.create_datagram_endpoint(lambda: _Ear(self), local_addr=("127.0.0.1", 0))
        self._ear = ear
        self.udp_port = transport.get_extra_info("sockname")[1]

    async def stop(self) -> None:
        if self._ear is not None and self._ear.transport is not None:
            self._ear.transport.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def drop(self, code: int = 4006) -> None:
        """Close the voice websocket as a crashed voice server would; the bot should reconnect."""
        self.connected.clear()
        if self._socket is not None:
            await self._socket.close(code=code)

    def speak_to_bot(self, ssrc: int = 7777) -> None:
        """Relay one Opus frame from another member to the bot, as Discord does when someone talks."""
        assert self._ear is not None and self._ear.transport is not None
        assert self._current is not None and self.bot_address is not None
        header = struct.pack(">BBHII", 0x80, 0x78, 1, 960, ssrc)
        counter = struct.pack(">I", 1)
        sealed = seal_payload(self._current.sealing_mode, self._current.secret_key, header, OPUS_SILENCE, counter)
        self._ear.transport.sendto(header + sealed + counter, self.bot_address)

    # -- the mouth: members speaking to the bot ------------------------------------------------------

    async def announce(self, mouth: Mouth) -> bool:
        """SPEAKING (op 5), as Discord sends it: only the first time this stream speaks on this connection.

        Returns whether it was sent. A later talk spurt, or `!listen on` after the member spoke, gets none.
        """
        assert self._socket is not None and self._current is not None
        stream = (mouth.user_id, mouth.ssrc)
        if stream in self._current.announced:
            return False
        self._current.announced.add(stream)
        await self._send(self._socket, 5, {"user_id": str(mouth.user_id), "ssrc": mouth.ssrc, "speaking": 1})
        return True

    async def disconnect_member(self, mouth: Mouth) -> None:
        """CLIENT_DISCONNECT (op 13): the member left; a stream of theirs later is a new one, named anew."""
        assert self._socket is not None and self._current is not None
        self._current.announced = {s for s in self._current.announced if s[0] != mouth.user_id}
        await self._send(self._socket, 13, {"user_id": str(mouth.user_id)})

    async def member_moved(self, user_id: int, left: int | None, joined: int | None) -> None:
        """A member's voice state changed: the bot's voice server says so if it concerns the bot's channel."""
        if self._socket is None or self._socket.closed or self._current is None or left == joined:
            return
        if joined == self.channel_id:
            await self._send(self._socket, 11, {"user_ids": [str(user_id)]})
        elif left == self.channel_id:
            self._current.announced = {s for s in self._current.announced if s[0] != user_id}
            await self._send(self._socket, 13, {"user_id": str(user_id)})

    def packet(self, mouth: Mouth, opus: bytes, *, end_to_end: bool | None = None, key: bytes | None = None) -> bytes:
        """The next RTP packet of `mouth`'s stream carrying `opus`, sealed as Discord seals it."""
        assert self._current is not None
        mouth.step()
        if (self.dave if end_to_end is None else end_to_end) and opus != OPUS_SILENCE:
            assert self._listener is not None, "DAVE frames need the DAVE group first"
            opus = self._listener.encrypt_opus(opus)
        return seal(mouth, opus, key or self._current.secret_key, self._current.sealing_mode)

    def send_raw(self, data: bytes) -> None:
        """Any datagram to the bot's voice socket (for bad input)."""
        assert self._ear is not None and self._ear.transport is not None and self.bot_address is not None
        self._ear.transport.sendto(data, self.bot_address)

    async def speak(self, mouth: Mouth, frames: list[bytes], *, announce: bool = True, pace: float = 0.02) -> float:
        """Send `frames` paced in real time, then five silence frames; returns when the last voiced one left."""
        if announce:
            await self.announce(mouth)
        loop = asyncio.get_running_loop()
        start = loop.time()
        last_voiced = start
        for index, frame in enumerate([*frames, *[OPUS_SILENCE] * 5]):
            delay = start + index * pace - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self.send_raw(self.packet(mouth, frame))
            if frame != OPUS_SILENCE:
                last_voiced = loop.time()
        return last_voiced

    def frames_since(self, start: int) -> list[Frame]:
        return self.frames[start:]

    async def wait_for_silence(self, start: int, timeout: float = 10.0) -> list[Frame]:
        """Wait until the bot ends a stream (its five silence frames) after frame `start`; return the frames."""
        async with asyncio.timeout(timeout):
            while True:
                frames = self.frames[start:]
                if len(frames) >= 5 and all(f.opus == b"\xf8\xff\xfe" for f in frames[-5:]):
                    return frames
                await asyncio.sleep(0.02)

    # -- signalling ---------------------------------------------------------------------------------

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._socket = socket
        async for message in socket:
            if message.type is aiohttp.WSMsgType.TEXT:
                await self._on_json(socket, json.loads(message.data))
            elif message.type is aiohttp.WSMsgType.BINARY:
                await self._on_binary(socket, message.data)
        return socket

    async def _send(self, socket: web.WebSocketResponse, op: int, data: JSON) -> None:
        self.sent.append((len(self.connections) - 1, op, data))
        await socket.send_str(json.dumps({"op": op, "d": data}))

    def sent_ops(self, op: int, connection: int | None = None) -> list[Any]:
        """The data of each message `op` sent, on every connection or on the one of index `connection`."""
        return [data for index, sent, data in self.sent if sent == op and connection in (None, index)]

    async def _send_binary(self, socket: web.WebSocketResponse, op: int, payload: bytes) -> None:
        self._sequence += 1
        await socket.send_bytes(struct.pack(">HB", self._sequence, op) + payload)

    async def _on_json(self, socket: web.WebSocketResponse, message: JSON) -> None:
        op: int = message["op"]
        data: Any = message.get("d")
        if op == 0:  # identify
            connection = VoiceConnection(
                user_id=int(data["user_id"]),
                server_id=int(data["server_id"]),
                session_id=data["session_id"],
                token=data["token"],
                ssrc=len(self.connections) + 1000,
                max_dave_version=int(data.get("max_dave_protocol_version", 0)),
            )
            self.connections.append(connection)
            self._current = connection
            await self.answering.wait()
            await self._send(socket, 8, {"heartbeat_interval": 13_750})
            await self._send(
                socket,
                2,
                {"ssrc": connection.ssrc, "ip": "127.0.0.1", "port": self.udp_port, "modes": self.modes},
            )
        elif op == 1:  # select protocol
            assert self._current is not None
            mode = self._current.mode = data["data"]["mode"]
            # Any mode offered will do, as on Discord, but only the AEAD "rtpsize" ones are still in use.
            if mode not in self.modes or mode not in SEALING_MODES:
                self.errors.append(f"the bot chose {mode} (offered: {', '.join(self.modes)})")
            dave_version = 1 if self.dave and self._current.max_dave_version >= 1 else 0
            await self._send(
                socket,
                4,
                {
                    "mode": self._current.mode,
                    "secret_key": list(self._current.secret_key),
                    "dave_protocol_version": dave_version,
                },
            )
            present = [user_id for user_id in self.members_in(self.channel_id) if user_id != self._current.user_id]
            if present:  # those already there, by id only: their SSRCs come when they speak
                await self._send(socket, 11, {"user_ids": [str(user_id) for user_id in present]})
            self.connected.set()
        elif op == 3:  # heartbeat
            await self._send(socket, 6, {"t": data["t"] if isinstance(data, dict) else data})
        elif op == 5:  # speaking
            assert self._current is not None
            self._current.speaking.append(int(data["speaking"]))
        elif op == 7:  # resume
            await self._send(socket, 9, {})
        elif op in (23, 31):  # DAVE transition ready / invalid commit
            if op == 31:
                self.errors.append(f"the bot rejected the DAVE commit: {data}")
        else:
            self.errors.append(f"unexpected voice opcode {op}: {data}")

    async def _on_binary(self, socket: web.WebSocketResponse, message: bytes) -> None:
        op, payload = message[0], message[1:]
        assert self._current is not None
        if op == 26:  # the bot's MLS key package: make the group, proposing our listener as its second member
            self._listener = davey.DaveSession(1, self.dave_member_id, self._dave_channel)
            listener_package = self._listener.get_serialized_key_package()
            self._listener.set_external_sender(self._external_sender.package())
            await self._send_binary(socket, 25, self._external_sender.package())
            proposal = self._external_sender.propose_add(self._dave_channel, 0, listener_package)
            await self._send_binary(socket, 27, b"\x00" + vector(proposal))
        elif op == 28:  # the bot's commit and our listener's welcome
            commit, welcome = split_commit_welcome(payload)
            await self._send_binary(socket, 29, struct.pack(">H", 0) + commit)
            assert self._listener is not None
            self._listener.process_welcome(welcome)
            self.dave_ready.set()
        else:
            self.errors.append(f"unexpected binary voice opcode {op}")

    def expect_channel(self, channel_id: int) -> None:
        """DAVE's group id is the voice channel's id; the gateway says which channel the bot asked for."""
        self._dave_channel = self.channel_id = channel_id

    # -- audio -------------------------------------------------------------------------------------

    def receive_rtp(self, packet: bytes) -> None:
        connection = self._current
        if connection is None or len(packet) < 12 + 16 + 4 or packet[0] != 0x80 or packet[1] != 0x78:
            self.errors.append(f"unexpected UDP packet of {len(packet)} bytes")
            return
        header, sealed, counter = packet[:12], packet[12:-4], packet[-4:]
        sequence, timestamp, ssrc = struct.unpack_from(">HII", packet, 2)
        try:
            opus = open_payload(connection.mode, connection.secret_key, header, sealed, counter)
        except Exception as error:
            self.errors.append(f"an RTP packet failed to decrypt: {error!r}")
            return
        # Only a DAVE call has DAVE frames; plain Opus may end in the magic bytes by chance (1 in 65,536).
        end_to_end = self.dave and connection.max_dave_version >= 1 and opus.endswith(DAVE_MAGIC)
        if end_to_end:
            if self._listener is None:
                self.errors.append("a DAVE frame arrived before the DAVE group existed")
                return
            opus = self._listener.decrypt(connection.user_id, davey.MediaType.audio, opus)
        self.frames.append(Frame(sequence, timestamp, ssrc, opus, end_to_end))
