"""Parrot's voice client with discord.py's own connection state and UDP reader thread, on 127.0.0.1."""

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any, cast

import discord
import pytest

from adapters.discord.listening.client import ListeningVoiceClient


async def _ignore(client: ListeningVoiceClient, message: dict[str, Any]) -> None:
    return None


@pytest.fixture
async def voice_client() -> AsyncIterator[ListeningVoiceClient]:
    channel = cast(discord.abc.Connectable, discord.Object(1))  # never connected: only its sockets are used
    client = ListeningVoiceClient(discord.Client(intents=discord.Intents.none()), channel, hook=_ignore)
    yield client
    client.connection._socket_reader.stop()
    client.connection.socket.close()


async def wait_for(received: list[bytes], seconds: float) -> None:
    async with asyncio.timeout(seconds):
        while not received:
            await asyncio.sleep(0.01)


async def test_a_socket_replaced_without_closing_does_not_keep_the_reader_asleep(
    voice_client: ListeningVoiceClient,
) -> None:
    # discord.py's reader thread waits in a 30 s select() on the socket it saw last; with a listener it is
    # always in one. discord.py replaces the socket without closing it when it moves itself to a channel.
    state = voice_client.connection
    received: list[bytes] = []
    state.add_socket_listener(received.append)
    state._create_socket()
    old = state.socket
    await asyncio.sleep(0.3)  # the reader is now waiting on the old socket
    state._create_socket()
    assert old.fileno() == -1 and state.socket is not old
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as member:
        member.sendto(b"ip discovery answer", ("127.0.0.1", state.socket.getsockname()[1]))
    await wait_for(received, 5.0)  # not discord.py's 30 s
    assert received == [b"ip discovery answer"]
