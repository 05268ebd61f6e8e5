"""discord.py's VoiceClient with an ear on its voice websocket, and AES-256-GCM, Discord's preferred mode.

discord.py 2.7 seals audio in aead_xchacha20_poly1305_rtpsize only. It takes the first of the voice
server's modes that its `supported_modes` holds, and Discord lists aead_aes256_gcm_rtpsize first, so this
client adds that mode (where the host's `cryptography` has AES-GCM) and seals in it; `transport.py` opens it.

discord.py 2.7 gives its connection state a websocket hook (called after discord.py has handled each
message) and socket listeners (called on its UDP reader thread); this client wires the first.

It keeps who is behind each SSRC (`speakers.py`) for as long as the voice client lives, listening or not:
Discord names a member's SSRC once per connection, when they first speak, so a map begun only when listening
starts would miss everyone who spoke before. Ids only: no packet is read until the listener adds its reader.

It also keeps discord.py's UDP reader thread from sleeping 30 s on a socket a reconnection closed, with
the sockets of `sockets.py`. discord.py also replaces a socket without closing it (when it moves itself to
another channel, a new voice server update makes a new socket): that old one is closed here, to wake it.
"""

import socket
import struct
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

import discord
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from discord.types.voice import SupportedModes
from discord.voice_state import VoiceConnectionState

from adapters.discord.listening.sockets import VoiceSockets, WakingSocket
from adapters.discord.listening.speakers import SpeakerMap
from adapters.discord.listening.transport import AES_GCM, aes_gcm_available

if TYPE_CHECKING:
    from discord.voice_state import WebsocketHook  # only there for type checkers


class _ListeningConnectionState(VoiceConnectionState):
    def __init__(self, voice_client: discord.VoiceClient, *, hook: "WebsocketHook | None" = None) -> None:
        self.sockets = VoiceSockets()
        super().__init__(voice_client, hook=hook)

    def _create_socket(self) -> None:
        previous = self.socket
        self.socket = self.sockets.new()
        if isinstance(previous, WakingSocket):
            previous.close()  # discord.py drops it unclosed when it moves itself: the reader would sleep on it
        self._socket_reader.resume()

    async def disconnect(self, *, force: bool = True, cleanup: bool = True, wait: bool = False) -> None:
        await super().disconnect(force=force, cleanup=cleanup, wait=wait)
        if cleanup:  # the reader thread is stopped and may never read again: the last descriptors close here
            self.sockets.release_retired()


# The client, the message, and the SSRCs that message just mapped to their member.
VoiceMessageHook = Callable[["ListeningVoiceClient", dict[str, Any], list[int]], Awaitable[None]]


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
        # One client for the whole stay in voice: discord.py keeps it through reconnections and moves.
        self.speakers = SpeakerMap()
        super().__init__(client, channel)

    def create_connection_state(self) -> VoiceConnectionState:
        return _ListeningConnectionState(self, hook=self._on_voice_message)

    async def _on_voice_message(self, websocket: object, message: dict[str, Any]) -> None:
        op = message.get("op")
        mapped = self.speakers.on_gateway(op, message.get("d")) if isinstance(op, int) else []
        await self._voice_message_hook(self, message, mapped)

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

    def discard_queued(self, most: int = 100_000) -> int:
        """Drop the datagrams waiting on the UDP socket unread; returns how many.

        With no reader registered, discord.py's reader thread pauses and the kernel keeps what arrives: audio
        from before listening began, which must never be heard. Called on the loop while that thread is paused.
        """
        sock = self._connection.socket
        if not isinstance(sock, socket.socket):
            return 0  # discord.py's MISSING: not connected yet
        dropped = 0
        while dropped < most:  # bounded: a flood cannot hold the loop here
            try:
                sock.recv(2048)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:  # closed, or not made yet: nothing waits on it
                break
            dropped += 1
        return dropped

    @property
    def connection(self) -> VoiceConnectionState:
        return self._connection

    @property
    def secret(self) -> bytes | None:
        key = self._connection.secret_key
        return bytes(key) if isinstance(key, list | bytes) and len(key) == 32 else None
