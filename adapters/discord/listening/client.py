"""discord.py's VoiceClient with an ear on its voice websocket: every message it receives is passed on.

discord.py 2.7 gives its connection state a websocket hook (called after discord.py has handled each
message) and socket listeners (called on its UDP reader thread); this client wires the first.

It also fixes one thing for listeners: discord.py's reader thread waits in a 30 s select() on the UDP
socket. With a listener registered it is always in one, so when a reconnection closes the socket the
thread sleeps on for up to 30 s, and the new connection's IP discovery (which it must read) times out.
Shutting the socket down before closing it (or, before it is connected, sending it an empty datagram)
wakes the select at once.
"""

import contextlib
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord.voice_state import VoiceConnectionState


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
        self.socket = _WakingSocket(socket.AF_INET, socket.SOCK_DGRAM)
        self.socket.bind(("0.0.0.0", 0))  # bound now (connecting would bind it later), so it can be woken  # noqa: S104
        self.socket.setblocking(False)
        self._socket_reader.resume()


VoiceMessageHook = Callable[["ListeningVoiceClient", dict[str, Any]], Awaitable[None]]


class ListeningVoiceClient(discord.VoiceClient):
    def __init__(self, client: discord.Client, channel: discord.abc.Connectable, *, hook: VoiceMessageHook) -> None:
        self._voice_message_hook = hook
        super().__init__(client, channel)

    def create_connection_state(self) -> VoiceConnectionState:
        return _ListeningConnectionState(self, hook=self._on_voice_message)

    async def _on_voice_message(self, websocket: object, message: dict[str, Any]) -> None:
        await self._voice_message_hook(self, message)

    @property
    def connection(self) -> VoiceConnectionState:
        return self._connection

    @property
    def secret(self) -> bytes | None:
        key = self._connection.secret_key
        return bytes(key) if isinstance(key, list | bytes) and len(key) == 32 else None
