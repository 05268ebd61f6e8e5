"""Corrections lookup: the time every plain message spends finding its correction. Prints; asserts nothing.

Run from the project root: `python -m bench.corrections` (or `make bench BENCHES=corrections`).
The corrections are BANKING77's training texts and HWU64's (real, short user messages); the messages looked up
are their test texts (mostly misses, as in a live channel), plus near duplicates of stored corrections (one word
changed) and exact repeats. Target: under 5 ms per message with 10,000 corrections, on the event loop.
"""

import argparse
import asyncio
import csv
import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

from application.learning.corrections import CorrectionOverrides
from domain.feedback import Correction
from domain.ids import ChannelId, GuildId, UserId
from domain.spaces import Space
from support.fakes import InMemoryFeedbackLog
from support.shared_data import shared_data

SIZES = (2_000, 10_000)


def texts(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as file:
        return [row["text"] for row in csv.DictReader(file)]


def correction(text: str, number: int) -> Correction:
    return Correction(
        user_text=text,
        bot_reply="?",
        correction=f"answer {number}",
        author_id=UserId(1000 + number % 500),
        guild_id=GuildId(1),
        channel_id=ChannelId(1),
        reply_message_id=None,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


async def measure(stored: list[str], queries: list[str], repeats: int) -> list[float]:
    space = Space(GuildId(1))
    log = InMemoryFeedbackLog()
    for number, text in enumerate(stored):
        await log.append_correction(space, correction(text, number))
    overrides = CorrectionOverrides(log)
    await overrides.lookup(space, "warm up: load and index")
    timings: list[float] = []
    for _ in range(repeats):
        for query in queries:
            started = time.perf_counter()
            await overrides.lookup(space, query)
            timings.append(time.perf_counter() - started)
    return timings


def near_duplicate(text: str, rng: random.Random) -> str:
    words = text.split()
    if len(words) > 4:
        words[rng.randrange(len(words))] = "please"
    return " ".join(words)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=300, help="messages looked up per size")
    parser.add_argument("--repeats", type=int, default=1)
    arguments = parser.parse_args()
    rng = random.Random(7)
    pool = texts(shared_data("intents", "banking77", "train.csv")) + texts(shared_data("intents", "hwu64", "train.csv"))
    unseen = texts(shared_data("intents", "banking77", "test.csv")) + texts(shared_data("intents", "hwu64", "test.csv"))
    rng.shuffle(pool)
    print(f"{'corrections':>11} {'mean ms':>8} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    for size in SIZES:
        stored = pool[:size]
        count = arguments.queries
        queries = (
            rng.sample(unseen, count * 3 // 5)
            + [near_duplicate(text, rng) for text in rng.sample(stored, count // 5)]
            + rng.sample(stored, count // 5)
        )
        timings = sorted(await measure(stored, queries, arguments.repeats))
        ms = [t * 1000 for t in timings]
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        print(f"{size:>11,} {statistics.fmean(ms):>8.3f} {statistics.median(ms):>7.3f} {p99:>7.3f} {ms[-1]:>7.3f}")


if __name__ == "__main__":
    asyncio.run(main())
