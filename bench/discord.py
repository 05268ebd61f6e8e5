"""Discord driver figures through the socket-level fake Discord. Prints figures; asserts nothing.

    .venv/bin/python -m bench.discord [--messages 300] [--burst 1000]

For Parrot (the real driver and application, fake model and speech backends) and, beside it, a bare
discord.py bot answering the same messages (the ceiling): start-up time to on_ready (in-process,
guild_ready_timeout=0.1, making the bot and its application included), and round trips (message injected
over the gateway -> reply recorded by the fake's REST API) per second, one at a time and back to back,
for `!hi` and for a plain message answered by a simple fake model; `!hi` latency p50/p99.
"""

import sys
from pathlib import Path

# Run as a script, this file's folder would come first on sys.path and this very file would hide discord.py.
if not __package__:
    _here = Path(__file__).resolve().parent
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import discord
from discord.ext import commands

from adapters.discord.endpoints import point_at
from adapters.logs.setup import configure_logging
from bootstrap import Container
from cli import settle, shutdown
from support.discord_harness import build_app_bot
from support.fake_discord import SEND_MESSAGE, Call, FakeDiscord

READY_TIMEOUT = 30.0


def bare_bot() -> commands.Bot:
    """The ceiling: discord.py alone, answering `!hi` and plain text with a fixed reply."""
    intents = discord.Intents.none()
    intents.guilds = intents.guild_messages = intents.message_content = True
    bot = commands.Bot("!", intents=intents, help_command=None, guild_ready_timeout=0.1)

    @bot.command()
    async def hi(ctx: commands.Context[commands.Bot]) -> None:
        await ctx.reply("Hi!", mention_author=False)

    @bot.event
    async def on_message(message: discord.Message) -> None:  # replaces Bot.on_message, which runs commands
        if message.author.bot:
            return
        if message.content.startswith("!"):
            await bot.process_commands(message)
        else:
            await message.reply("Hi there", mention_author=False)

    return bot


@dataclass
class Figures:
    startup: list[float] = field(default_factory=list)
    sequential: dict[str, list[float]] = field(default_factory=dict)
    burst: dict[str, float] = field(default_factory=dict)


class Contender:
    """A bot to measure: how to make one, what to do before measuring, how to clean up."""

    def make(self, fake: FakeDiscord) -> commands.Bot:
        return bare_bot()

    async def prepare(self, fake: FakeDiscord) -> None:
        pass

    async def finish(self) -> None:
        pass


class Parrot(Contender):
    """The real driver wired to the application container; the fake model is trained before measuring."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._containers: list[Container] = []

    def make(self, fake: FakeDiscord) -> commands.Bot:
        bot, container = build_app_bot(fake, self._folder / f"run-{len(self._containers)}")
        self._containers.append(container)
        return bot

    async def prepare(self, fake: FakeDiscord) -> None:
        message = await fake.send_message(fake.world.admin, "!train hello there => Hi there")
        await fake.reply_to(message, timeout=30)
        await settle(self._containers[-1])

    async def finish(self) -> None:
        for container in self._containers:
            await settle(container)
            await shutdown(container)


@asynccontextmanager
async def connected(contender: Contender, fake: FakeDiscord, timings: list[float]) -> AsyncIterator[commands.Bot]:
    """Make the bot (Parrot: with its application), log in, connect; `timings` gets the time to on_ready."""
    started = time.perf_counter()
    bot = contender.make(fake)
    point_at(fake.api_base, fake.gateway_url)
    await bot.login(fake.token)
    connection = asyncio.create_task(bot.connect())
    await asyncio.wait_for(bot.wait_until_ready(), READY_TIMEOUT)
    timings.append(time.perf_counter() - started)
    try:
        yield bot
    finally:
        await bot.close()
        await connection


async def one_at_a_time(fake: FakeDiscord, text: str, count: int) -> list[float]:
    latencies = []
    for _ in range(count):
        mark = len(fake.calls)
        started = time.perf_counter()
        message = await fake.send_message(fake.world.alice, text)
        await fake.reply_to(message, since=mark, timeout=30)
        latencies.append(time.perf_counter() - started)
    return latencies


async def back_to_back(fake: FakeDiscord, text: str, count: int) -> float:
    """Round trips per second with `count` messages injected at once."""
    mark = len(fake.calls)
    left = count

    def counts(call: Call) -> bool:
        nonlocal left
        if call.route == SEND_MESSAGE and call.reply_to is not None:
            left -= 1
        return left == 0

    started = time.perf_counter()
    for _ in range(count):
        await fake.send_message(fake.world.alice, text)
    await fake.wait_for(counts, since=mark, timeout=300)
    return count / (time.perf_counter() - started)


async def measure(contender: Contender, messages: int, burst: int) -> Figures:
    figures = Figures()
    async with FakeDiscord() as fake:
        for _ in range(4):  # start-up only
            async with connected(contender, fake, figures.startup):
                pass
        async with connected(contender, fake, figures.startup):
            await contender.prepare(fake)
            for name, text in (("!hi", "!hi"), ("plain", "hello there")):
                await one_at_a_time(fake, text, 20)  # warm-up
                figures.sequential[name] = await one_at_a_time(fake, text, messages)
                figures.burst[name] = await back_to_back(fake, text, burst)
        await contender.finish()
    return figures


def summary(title: str, figures: Figures) -> None:
    print(title)
    median_ms = statistics.median(figures.startup) * 1000
    print(f"  start-up to on_ready (in-process, guild_ready_timeout=0.1): median {median_ms:.0f} ms of 5")
    for name, latencies in figures.sequential.items():
        rate = len(latencies) / sum(latencies)
        line = f"  {name:6} one at a time: {rate:7.0f} round trips/s"
        if name == "!hi":
            cuts = statistics.quantiles(latencies, n=100)
            line += f"   latency p50 {statistics.median(latencies) * 1000:.2f} ms, p99 {cuts[98] * 1000:.2f} ms"
        print(line)
        print(f"  {name:6} back to back: {figures.burst[name]:7.0f} round trips/s")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=300, help="messages sent one at a time, per kind")
    parser.add_argument("--burst", type=int, default=1000, help="messages injected back to back, per kind")
    arguments = parser.parse_args()
    configure_logging("WARNING", "console")
    bare = await measure(Contender(), arguments.messages, arguments.burst)
    with tempfile.TemporaryDirectory(prefix="parrot-bench-") as folder:
        parrot = await measure(Parrot(Path(folder)), arguments.messages, arguments.burst)
    sizes = f"{arguments.messages} one at a time, {arguments.burst} back to back"
    print(f"Discord round trips through the fake (messages per kind: {sizes})")
    summary("bare discord.py bot (the ceiling)", bare)
    summary("Parrot (driver + application, fake model)", parrot)


if __name__ == "__main__":
    asyncio.run(main())
