"""The bot with `work.queue = "redis"` in this process, and `parrot worker` processes, for tests and bench."""

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from adapters.discord import ParrotBot
from bootstrap import Container, build_container
from cli import discord_bot, shutdown
from support.app import make_settings
from support.discord_harness import bot_config, started
from support.fake_discord import FakeDiscord
from support.shared_data import PROJECT_ROOT


@dataclass
class Worker:
    """One `parrot worker` process; its log lines (JSON) are kept in `log_file`."""

    process: asyncio.subprocess.Process
    log_file: Path

    @property
    def running(self) -> bool:
        return self.process.returncode is None

    def kill(self) -> None:
        """SIGKILL: no goodbye, its job's lease simply lapses."""
        if self.running:
            self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        if self.running:
            self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            self.kill()
            await self.process.wait()

    def log(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""


def worker_env(redis_url: str, data_root: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(data_root),
        "PARROT_CONFIG": os.devnull,
        "PARROT_STORAGE_DATA_ROOT": str(data_root),
        "PARROT_WORK_QUEUE": "redis",
        "PARROT_WORK_REDIS_URL": redis_url,
        "PARROT_WORK_CONCURRENCY": "1",
        "PARROT_LOGGING_FORMAT": "json",
        "PARROT_LOGGING_LEVEL": "INFO",
    } | extra


async def start_worker(redis_url: str, data_root: Path, name: str, **extra: str) -> Worker:
    """`python -m cli worker`, as `make worker` runs it; returns once it says it takes jobs."""
    data_root.mkdir(parents=True, exist_ok=True)
    log_file = data_root / f"{name}.log"
    with log_file.open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "cli",
            "worker",
            cwd=PROJECT_ROOT,
            env=worker_env(redis_url, data_root, **extra),
            stdout=log,
            stderr=log,
        )
    worker = Worker(process, log_file)
    async with asyncio.timeout(60):
        while "worker taking jobs" not in worker.log():
            if not worker.running:
                raise RuntimeError(f"parrot worker exited: {worker.log()}")
            await asyncio.sleep(0.05)
    return worker


@asynccontextmanager
async def workers(redis_url: str, data_root: Path, count: int, **extra: str) -> AsyncIterator[list[Worker]]:
    started_workers = [await start_worker(redis_url, data_root, f"worker-{i}", **extra) for i in range(count)]
    try:
        yield started_workers
    finally:
        for worker in started_workers:
            await worker.stop()


async def wait_for_lease(redis_url: str, timeout: float = 60.0) -> str:
    """The id of a job a worker has taken (arq's in-progress key exists), once one has."""
    redis = Redis.from_url(redis_url)
    try:
        async with asyncio.timeout(timeout):
            while True:
                found = [key async for key in redis.scan_iter("arq:in-progress:*")]
                if found:
                    return bytes(found[0]).decode().removeprefix("arq:in-progress:")
                await asyncio.sleep(0.02)
    finally:
        await redis.aclose()


@asynccontextmanager
async def redis_app_bot(
    fake: FakeDiscord, data_root: Path, redis_url: str, **sections: dict[str, Any]
) -> AsyncIterator[tuple[ParrotBot, Container]]:
    """The real bot and application, with every heavy job sent through Redis to `parrot worker`s."""
    work = {"queue": "redis", "redis_url": redis_url} | sections.pop("work", {})
    settings = make_settings(data_root, work=work, **sections)
    bot = discord_bot(bot_config(fake))
    container = build_container(settings, bot.chat, bot.voice, bot.attachments)
    bot.attach(container.bus())
    await container.work.work_queue().start()
    try:
        async with started(bot, fake):
            yield bot, container
    finally:
        with contextlib.suppress(Exception):
            await shutdown(container, deadline=5.0)
