"""Hostile input, faults, load and a soak through the fake-Discord driver. Prints figures; asserts nothing.

Each load round injects 1,000 messages at the same instant (a worst case: Discord spreads them over the
network), so the loop lag it shows is the stall of handling a whole burst.

Run from the project root: `python -m bench.soak` (`--minutes 10` is the default soak; `--minutes 1` for a look).
The model and speech backends are the in-memory fakes, so the figures are the bot's own: bus, storage, drivers.
"""

import argparse
import asyncio
import gc
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from adapters.logs.setup import configure_logging
from domain.errors import BackendUnavailable
from support.app import AppHarness, build_app
from support.scripted_discord import member

FAQ = "hi => Hello!\nhey => Hello!\nbye => Bye!\nciao => Bye!\nhours => Nine to five.\nopen => Nine to five."
HOSTILE = [
    "!getfile ../../etc/passwd",
    "!getfile /etc/shadow",
    "!getfile %2e%2e/%2e%2e/etc/passwd",
    "!getfile ．．/．．/etc/passwd",
    "!getfile ..\\..\\windows\\win.ini",
    "!getfile a\x00b",
    "!getfile " + "x/" * 400,
    "!archive ..",
    "!archive /",
    "!select_dataset ../../guild-2/datasets/x.csv",
    "!model use 99999999999",
    "!feedback " + "x" * 5000,
    "!correct " + "y" * 5000,
    "!train --backend",
    "!train this line has no arrow",
    "@everyone hello",
]


class LoopLag:
    """Wakes every `interval` seconds and records how late it woke: the event loop's responsiveness."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(self.interval)
            self.lags.append(max(0.0, loop.time() - start - self.interval))

    async def __aenter__(self) -> "LoopLag":
        self._task = asyncio.get_running_loop().create_task(self._tick())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        # Let the ticker wake once more, so a stall at the very end is measured too.
        await asyncio.sleep(self.interval * 2)
        if self._task is not None:
            self._task.cancel()

    def percentile(self, q: float) -> float:
        ordered = sorted(self.lags)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


async def hostile_inputs(app: AppHarness) -> tuple[int, int]:
    refused = 0
    for text in HOSTILE:
        message = await app.discord.say(text, author=member(user_id=666, name="mallory"))
        replies = app.discord.replies_to(message)
        if replies and not any(r.file for r in replies):
            refused += 1
    broken = [b"", b"\x00" * 100, b"OggS" + bytes(200), b"speech:" + b"word " * 10_000]
    for n, payload in enumerate(broken):
        clip = app.discord.attachment(f"bad{n}.ogg", payload, "audio/ogg")
        message = await app.discord.say("", attachments=(clip,), author=member(user_id=666))
        if app.discord.replies_to(message):
            refused += 1
    return refused, len(HOSTILE) + len(broken)


async def faults(app: AppHarness) -> tuple[int, int, float]:
    """Backends that fail, then come back; returns (survived, injected, seconds to recover)."""
    survived = injected = 0
    app.stt.down = True
    injected += 1
    clip = app.discord.attachment("v.ogg", b"speech:hours", "audio/ogg")
    failing = await app.discord.say("", attachments=(clip,))
    after = await app.discord.say("hi")
    if app.discord.replies_to(failing) and app.discord.replies_to(after)[0].text == "Hello!":
        survived += 1
    app.backend.fail_with = BackendUnavailable("The model backend is down.")
    injected += 1
    await app.discord.say(f"!train {FAQ}")
    await app.settle()
    still = await app.discord.say("hey")
    if app.discord.replies_to(still)[0].text == "Hello!":
        survived += 1
    app.backend.fail_with = None
    app.stt.down = False
    started = time.perf_counter()
    recovered = await app.discord.say("", attachments=(app.discord.attachment("v2.ogg", b"speech:hours", "audio/ogg"),))
    recovery = time.perf_counter() - started
    if app.discord.replies_to(recovered)[0].text.startswith("🎙️"):
        survived += 1
    injected += 1
    return survived, injected, recovery


async def load_round(app: AppHarness, rng: random.Random, messages: int = 1000) -> tuple[int, int]:
    """`messages` from 50 users in 10 channels, 20 of them voice; returns (lost, answered twice)."""
    users = [member(user_id=100 + i, name=f"user{i}", admin=False) for i in range(50)]
    voice = set(rng.sample(range(messages), 20))
    batch = []
    for n in range(messages):
        if n in voice:
            clip = app.discord.attachment(f"v{n}.ogg", b"speech:hours", "audio/ogg", voice_message=True)
            batch.append(
                app.discord.message("", author=rng.choice(users), channel_id=100 + n % 10, attachments=(clip,))
            )
        else:
            text = rng.choice(["hi", "bye", "hours", "what?"])
            batch.append(app.discord.message(text, author=rng.choice(users), channel_id=100 + n % 10))
    start = len(app.discord.sent)
    await asyncio.gather(*(app.discord.post(m) for m in batch))
    await app.settle()
    answered = Counter(s.reply_to for s in app.discord.sent[start:] if s.reply_to is not None)
    lost = sum(1 for m in batch if answered[m.id] == 0)
    twice = sum(1 for m in batch if answered[m.id] > (2 if m.attachments else 1))
    # The fake Discord records everything; a real chat keeps none of it in the bot.
    app.discord.forget()
    return lost, twice


def rss_mb() -> float:
    with Path("/proc/self/statm").open() as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1e6


async def main(minutes: float) -> None:
    configure_logging("ERROR", "console", stream=sys.stderr)
    root = Path(tempfile.mkdtemp(prefix="parrot-soak-"))
    app = build_app(root, in_memory=False)
    await app.discord.say(f"!train {FAQ}")
    await app.settle()
    app.discord.sent.clear()

    refused, tried = await hostile_inputs(app)
    print(f"hostile inputs: {refused} of {tried} tried were refused with a reply; the bot carried on")
    survived, injected, recovery = await faults(app)
    print(
        f"faults injected: {injected}, survived: {survived}; "
        f"first success after the backend came back: {recovery * 1000:.1f} ms"
    )

    rng = random.Random(1)
    async with LoopLag() as lag:
        started = time.perf_counter()
        lost, twice = await load_round(app, rng)
        took = time.perf_counter() - started
    print(f"load: 1000 messages (50 users, 10 channels, 20 voice) in {took:.2f} s; lost {lost}, answered twice {twice}")
    print(
        f"event-loop lag under that load: p50 {lag.percentile(0.5):.1f} ms, p99 {lag.percentile(0.99):.1f} ms "
        f"({len(lag.lags)} ticks)"
    )

    gc.collect()
    start_rss = rss_mb()
    deadline = time.monotonic() + minutes * 60
    rounds = total_lost = total_twice = 0
    lags: list[float] = []
    while time.monotonic() < deadline:
        async with LoopLag() as lag:
            lost, twice = await load_round(app, rng)
        lags.extend(lag.lags)
        rounds, total_lost, total_twice = rounds + 1, total_lost + lost, total_twice + twice
    gc.collect()
    end_rss = rss_mb()
    growth = (end_rss - start_rss) / start_rss * 100
    p99 = sorted(lags)[int(0.99 * len(lags))] * 1000 if lags else 0.0
    print(
        f"soak: {minutes:g} min, {rounds} rounds ({rounds * 1000} messages); "
        f"lost {total_lost}, answered twice {total_twice}"
    )
    print(f"soak loop lag: p50 {statistics.median(lags) * 1000 if lags else 0:.1f} ms, p99 {p99:.1f} ms")
    print(f"memory (RSS): {start_rss:.0f} MB at the soak's start, {end_rss:.0f} MB after it ({growth:+.1f}%)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the soak (default 10)")
    asyncio.run(main(parser.parse_args().minutes))
