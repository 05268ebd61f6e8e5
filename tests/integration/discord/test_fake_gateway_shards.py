"""The fake Discord's shards: a guild's events reach only the gateway connection of the shard that holds it."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import discord
import pytest

from adapters.discord.endpoints import point_at
from support.fake_discord import FakeDiscord
from support.fake_discord.gateway import DISPATCH, HELLO, IDENTIFY, INVALID_SHARD
from support.fake_discord.world import shard_of

JSON = dict[str, Any]
GUILDS_AND_MESSAGES = (1 << 0) | (1 << 9) | (1 << 12) | (1 << 15)


class RawShard:
    """A bare gateway connection, as a client library opens one per shard: it keeps every dispatch it receives."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.events: list[JSON] = []
        self._arrived = asyncio.Condition()

    async def identify(self, token: str, shard: Any) -> None:
        hello = await self.socket.receive_json(timeout=5)
        assert hello["op"] == HELLO
        await self.socket.send_json({"op": IDENTIFY, "d": {"token": token, "intents": GUILDS_AND_MESSAGES} | shard})

    async def read(self) -> None:
        async for message in self.socket:
            if message.type is aiohttp.WSMsgType.TEXT:
                frame = message.json()
                if frame["op"] == DISPATCH:
                    async with self._arrived:
                        self.events.append(frame)
                        self._arrived.notify_all()

    async def until(self, event: str, payload_id: str) -> list[JSON]:
        """Every dispatch received up to and including `event` about `payload_id`."""
        async with asyncio.timeout(5), self._arrived:
            await self._arrived.wait_for(lambda: any(_is(frame, event, payload_id) for frame in self.events))
        return self.events

    def of(self, event: str) -> list[JSON]:
        return [frame["d"] for frame in self.events if frame["t"] == event]


def _is(frame: JSON, event: str, payload_id: str) -> bool:
    return bool(frame["t"] == event and frame["d"].get("id") == payload_id)


@asynccontextmanager
async def raw_shard(fake: FakeDiscord, shard: list[int]) -> AsyncIterator[RawShard]:
    async with aiohttp.ClientSession() as session, session.ws_connect(fake.gateway_url) as socket:
        connection = RawShard(socket)
        await connection.identify(fake.token, {"shard": shard})
        reading = asyncio.create_task(connection.read())
        try:
            yield connection
        finally:
            await socket.close()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(reading, 5)


async def test_each_shard_is_told_of_its_own_guilds_and_receives_only_their_events() -> None:
    async with FakeDiscord(shard_count=2) as fake:
        first, second = fake.world, fake.add_guild(1)
        assert (shard_of(first.guild_id, 2), shard_of(second.guild_id, 2)) == (0, 1)
        assert second.bot == first.bot and second.application_id == first.application_id
        async with raw_shard(fake, [0, 2]) as shard0, raw_shard(fake, [1, 2]) as shard1:
            async with asyncio.timeout(5):
                while len(fake.gateway.connected_shards()) < 2:
                    await asyncio.sleep(0.01)
            on_second = await fake.send_message(second.alice, "!hi", channel_id=second.text_channel.id)
            on_first = await fake.send_message(first.alice, "!hi")
            direct = await fake.send_message(first.alice, "!hi", channel_id=first.ids.next())
            last = await fake.send_message(second.alice, "last", channel_id=second.text_channel.id)
            # Dispatches on one connection keep their order: by its last message, a shard has all it will get.
            await shard0.until("MESSAGE_CREATE", direct["id"])
            await shard1.until("MESSAGE_CREATE", last["id"])

        for connection, guild, shard in ((shard0, first, [0, 2]), (shard1, second, [1, 2])):
            (ready,) = connection.of("READY")
            assert ready["shard"] == shard
            assert ready["guilds"] == [{"id": str(guild.guild_id), "unavailable": True}]
            assert [created["id"] for created in connection.of("GUILD_CREATE")] == [str(guild.guild_id)]
            assert connection.events[0]["t"] == "READY" and connection.events[0]["s"] == 1
        assert [m["id"] for m in shard0.of("MESSAGE_CREATE")] == [on_first["id"], direct["id"]]
        assert [m["id"] for m in shard1.of("MESSAGE_CREATE")] == [on_second["id"], last["id"]]
        assert fake.gateway.delivered_on("MESSAGE_CREATE", on_second["id"]) == [(1, 2)]
        assert fake.gateway.delivered_on("MESSAGE_CREATE", direct["id"]) == [(0, 2)]  # direct messages: shard 0


@pytest.mark.parametrize("shard", [[2, 2], [-1, 2], [0, 0], ["0", "2"], [0]])
async def test_an_invalid_shard_is_refused_with_close_code_4010(shard: Any) -> None:
    async with (
        FakeDiscord(shard_count=2) as fake,
        aiohttp.ClientSession() as session,
        session.ws_connect(fake.gateway_url) as socket,
    ):
        await RawShard(socket).identify(fake.token, {"shard": shard})
        closing = await socket.receive(timeout=5)
        assert (closing.type, closing.data) == (aiohttp.WSMsgType.CLOSE, INVALID_SHARD)
        assert fake.gateway.sessions == []


class QuickShardedClient(discord.AutoShardedClient):
    """discord.py's own sharded client, recording on which shard each message reached it."""

    def __init__(self) -> None:
        intents = discord.Intents.none()
        intents.guilds = intents.guild_messages = intents.message_content = True
        super().__init__(intents=intents, guild_ready_timeout=0.1, chunk_guilds_at_startup=False)
        self.received: list[tuple[int, int]] = []

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        pass  # the 5 s wait between shards spares Discord's identify rate limit; the fake has none

    async def on_message(self, message: discord.Message) -> None:
        assert message.guild is not None
        self.received.append((message.id, message.guild.shard_id))


async def test_discord_py_asks_how_many_shards_and_hears_each_guild_once() -> None:
    async with FakeDiscord(shard_count=2) as fake:
        second = fake.add_guild(1)
        point_at(fake.api_base, fake.gateway_url)
        client = QuickShardedClient()
        await client.login(fake.token)
        connecting = asyncio.create_task(client.connect())
        try:
            await asyncio.wait_for(client.wait_until_ready(), 10)
            assert (client.shard_count, sorted(client.shards)) == (2, [0, 1])
            assert sorted(guild.id for guild in client.guilds) == sorted([fake.world.guild_id, second.guild_id])
            sent = [
                await fake.send_message(fake.world.alice, "on shard 0"),
                await fake.send_message(second.alice, "on shard 1", channel_id=second.text_channel.id),
            ]
            async with asyncio.timeout(5):
                while len(client.received) < 2:
                    await asyncio.sleep(0.01)
            await asyncio.sleep(0.2)  # a message delivered on both connections would arrive twice by now
        finally:
            await client.close()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(connecting, 5)
        assert sorted(client.received) == [(int(sent[0]["id"]), 0), (int(sent[1]["id"]), 1)]
        assert [identify["shard"] for identify in fake.gateway.identifies] == [[0, 2], [1, 2]]
        assert [call.route for call in fake.calls].count("GET /gateway/bot") == 1
        for message, shard in zip(sent, [(0, 2), (1, 2)], strict=True):
            assert fake.gateway.delivered_on("MESSAGE_CREATE", message["id"]) == [shard]
