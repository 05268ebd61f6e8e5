"""discord.py's VoiceClient with an ear on its voice websocket: every message it receives is passed on.

discord.py 2.7 gives its connection state a websocket hook (called after discord.py has handled each
message) and socket listeners (called on its UDP reader thread); this client wires the first.
"""

from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord.voice_state import VoiceConnectionState

VoiceMessageHook = Callable[["ListeningVoiceClient", dict[str, Any]], Awaitable[None]]


class ListeningVoiceClient(discord.VoiceClient):
    def __init__(self, client: discord.Client, channel: discord.abc.Connectable, *, hook: VoiceMessageHook) -> None:
        self._voice_message_hook = hook
        super().__init__(client, channel)

    def create_connection_state(self) -> VoiceConnectionState:
        return VoiceConnectionState(self, hook=self._on_voice_message)

    async def _on_voice_message(self, websocket: object, message: dict[str, Any]) -> None:
        await self._voice_message_hook(self, message)

    @property
    def connection(self) -> VoiceConnectionState:
        return self._connection

    @property
    def secret(self) -> bytes | None:
        key = self._connection.secret_key
        return bytes(key) if isinstance(key, list | bytes) and len(key) == 32 else None
