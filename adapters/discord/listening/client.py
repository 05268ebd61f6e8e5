"""discord.py's VoiceClient with an ear on its voice websocket, and AES-256-GCM, Discord's preferred mode.

discord.py 2.7 seals audio in aead_xchacha20_poly1305_rtpsize only. It takes the first of the voice
server's modes that its `supported_modes` holds, and Discord lists aead_aes256_gcm_rtpsize first, so this
client adds that mode (where the host's `cryptography` has AES-GCM) and seals in it; `transport.py` opens it.

discord.py 2.7 gives its connection state a websocket hook (called after discord.py has handled each
message) and socket listeners (called on its UDP reader thread); this client wires the first.

It also fixes one thing for listeners: discord.py's reader thread waits in a 30 s select() on the UDP
socket. With a listener registered it is always in one, so when a reconnection closes the socket the
thread sleeps on for up to 30 s, and the new connection's IP discovery (which it must read) times out.
Shutting the socket down before closing it (or, before it is connected, sending it an empty datagram)
wakes the select at once. discord.py also replaces a socket without closing it (when it moves itself to
another channel, a new voice server update makes a new socket): that old one is closed here, to wake it.
"""

import contextlib
import socket
import struct
from collections.abc import Awaitable, Callable
from typing import Any, cast

import discord
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from discord.types.voice import SupportedModes
from discord.voice_state import VoiceConnectionState

from adapters.discord.listening.transport import AES_GCM, aes_gcm_available


class _WakingSocket(socket.socket):
    def close(self) -> None:
        try:
            self.shutdown(socket.SHUT_RDWR)  # wakes a select() waiting on this socket in another thread
        except OSError:
            # Not connected yet (a handshake that failed early): a datagram to its own port wakes it instead.
            with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as waker:
                waker.sendto(b"", ("127.0.0.1", self.getsockname()[1]))
        super().close()


class _ListeningConnectionState(VoiceConnectionState):
    def _create_socket(self) -> None:
        previous = self.socket
        if isinstance(previous, socket.socket) and previous.fileno() != -1:
            previous.close()  # nothing else holds it; closing it wakes the reader that may wait on it
        self.socket = _WakingSocket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("0.0.0.0", 0))  # bound now (connecting would bind it later), so it can be woken  # noqa: S104
        self.socket.setblocking(False)
        self._socket_reader.resume()


VoiceMessageHook = Callable[["ListeningVoiceClient", dict[str, Any]], Awaitable[None]]


class ListeningVoiceClient(discord.VoiceClient):
    # discord.py's own modes, after AES-256-GCM where this host can seal it (discord.py's Literal lacks it).
    supported_modes = (
        (cast("SupportedModes", AES_GCM), *discord.VoiceClient.supported_modes)
        if aes_gcm_available()
        else discord.VoiceClient.supported_modes
    )

    def __init__(self, client: discord.Client, channel: discord.abc.Connectable, *, hook: VoiceMessageHook) -> None:
        self._voice_message_hook = hook
        self._aes_gcm: tuple[bytes, AESGCM] | None = None  # the cipher for the current key, made once per key
        super().__init__(client, channel)

    def create_connection_state(self) -> VoiceConnectionState:
        return _ListeningConnectionState(self, hook=self._on_voice_message)

    async def _on_voice_message(self, websocket: object, message: dict[str, Any]) -> None:
        await self._voice_message_hook(self, message)

    def _encrypt_aead_aes256_gcm_rtpsize(self, header: bytes, data: bytes) -> bytes:
        """As discord.py's xchacha20 "rtpsize" sealing: the header authenticated, a 4-byte counter for nonce.

        discord.py finds this method by the mode's name (`_get_voice_packet`). The nonce is the counter,
        big-endian, padded with zeros to AES-GCM's 12 bytes; the counter's 4 bytes are appended to the packet.
        """
        key = bytes(self.secret_key)
        if self._aes_gcm is None or self._aes_gcm[0] != key:
            self._aes_gcm = (key, AESGCM(key))
        nonce = struct.pack(">I", self._incr_nonce)
        self.checked_add("_incr_nonce", 1, 4294967295)
        return header + self._aes_gcm[1].encrypt(nonce + bytes(8), bytes(data), bytes(header)) + nonce

    @property
    def connection(self) -> VoiceConnectionState:
        return self._connection

    @property
    def secret(self) -> bytes | None:
        key = self._connection.secret_key
        return bytes(key) if isinstance(key, list | bytes) and len(key) == 32 else None
