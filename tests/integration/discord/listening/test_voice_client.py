"""Parrot's voice client with discord.py's own connection state and UDP reader thread, on 127.0.0.1.

discord.py's reader thread waits in a 30 s select() on the connection's socket; these tests check that it
follows each new socket at once, and that no descriptor it may be waiting on is closed under it. And the
client seals audio in AES-256-GCM as Discord specifies.
"""

import asyncio
import select
import socket
import struct
from collections.abc import AsyncIterator
from typing import Any, cast

import discord
import pytest

from adapters.discord.listening.client import ListeningVoiceClient
from adapters.discord.listening.rtp import parse_rtp
from adapters.discord.listening.sockets import VoiceSockets
from adapters.discord.listening.transport import AES_GCM, XCHACHA, TransportDecryptor

KEY = bytes(range(32))


async def _ignore(client: ListeningVoiceClient, message: dict[str, Any], mapped: list[int]) -> None:
    return None


@pytest.fixture
async def voice_client() -> AsyncIterator[ListeningVoiceClient]:
    channel = cast(discord.abc.Connectable, discord.Object(1))  # never connected: only its sockets are used
    client = ListeningVoiceClient(discord.Client(intents=discord.Intents.none()), channel, hook=_ignore)
    yield client
    state = client.connection
    state._socket_reader.stop()
    if isinstance(state.socket, socket.socket):
        state.socket.close()
    sockets = getattr(state, "sockets")  # noqa: B009 - the connection state's own, typed as discord.py's
    assert isinstance(sockets, VoiceSockets)
    sockets.release_retired()


async def wait_for(received: list[bytes], seconds: float = 5.0) -> None:
    async with asyncio.timeout(seconds):  # not discord.py's 30 s
        while not received:
            await asyncio.sleep(0.01)


def send_to(sock: socket.socket, data: bytes) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as member:
        member.sendto(data, ("127.0.0.1", sock.getsockname()[1]))


async def test_a_socket_replaced_without_closing_does_not_keep_the_reader_asleep(
    voice_client: ListeningVoiceClient,
) -> None:
    # discord.py replaces the socket without closing it when it moves itself to another channel.
    state = voice_client.connection
    received: list[bytes] = []
    state.add_socket_listener(received.append)
    state._create_socket()
    old = state.socket
    await asyncio.sleep(0.3)  # the reader is now waiting on the old socket
    state._create_socket()
    assert state.socket is not old
    send_to(state.socket, b"ip discovery answer")
    await wait_for(received)
    assert received == [b"ip discovery answer"]
    assert old.fileno() == -1  # closed by the reader itself, once it had left it


async def test_a_closed_socket_keeps_its_descriptor_until_the_reader_has_left_it(
    voice_client: ListeningVoiceClient,
) -> None:
    # As discord.py reconnects: pause the reader, close the socket, make a new one, resume.
    state = voice_client.connection
    received: list[bytes] = []
    state.add_socket_listener(received.append)
    state._create_socket()
    old = state.socket
    old_descriptor = old.fileno()
    await asyncio.sleep(0.3)
    state._socket_reader.pause()
    old.close()
    # Still open: were its number given to the next socket, a reader not yet back from select() would
    # look at that socket without waiting on it, and sleep 30 s.
    assert old.fileno() == old_descriptor
    state._create_socket()
    assert state.socket.fileno() != old_descriptor
    send_to(state.socket, b"ip discovery answer")
    await wait_for(received)
    assert received == [b"ip discovery answer"]
    assert old.fileno() == -1


def test_a_closed_voice_socket_refuses_reads_and_the_next_read_releases_it() -> None:
    sockets = VoiceSockets()
    closed, current = sockets.new(), sockets.new()
    closed.close()
    assert closed.fileno() != -1 and sockets.retired == 1
    with pytest.raises(OSError):
        closed.recv(2048)  # dead for discord.py's reader, which logs it and reads on
    assert closed.fileno() == -1 and sockets.retired == 0  # that read was out of select(): released
    send_to(current, b"opus")
    readable, _, _ = select.select([current], [], [], 5)
    assert readable and current.recv(2048) == b"opus"
    current.close()
    current.close()  # discord.py may close twice
    assert sockets.retired == 1
    sockets.release_retired()
    assert current.fileno() == -1


async def test_it_seals_in_aes_gcm_as_discord_specifies_and_offers_that_mode_first(
    voice_client: ListeningVoiceClient,
) -> None:
    assert voice_client.supported_modes[:2] == (AES_GCM, XCHACHA)  # discord.py's own follow
    voice_client.connection.secret_key = list(KEY)
    header = struct.pack(">BBHII", 0x80, 0x78, 7, 960, 1000)
    sealed = [voice_client._encrypt_aead_aes256_gcm_rtpsize(header, b"opus %d" % n) for n in range(2)]
    packets = [parse_rtp(packet) for packet in sealed]
    assert [packet.nonce_counter for packet in packets] == [0, 1]  # a 4-byte counter, appended
    assert all(packet.header == header for packet in packets)  # the header is authenticated, not sealed
    opened = [TransportDecryptor(AES_GCM, KEY).open(packet) for packet in packets]
    assert opened == [b"opus 0", b"opus 1"]
