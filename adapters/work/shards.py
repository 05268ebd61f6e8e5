"""Which bot process runs which Discord shards, kept in the work queue's Redis.

Each process claims its shards (SET NX with a short expiry) before it connects, and renews the claim while it
runs. A process whose shards overlap a running one's refuses to start; one that died frees its shards when
the claim expires (TTL_SECONDS), so a restart never waits long.
"""

import asyncio
import contextlib
import os
import socket
from collections.abc import Sequence

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from adapters.work import codec, keys
from application.ports.work import ShardsTaken, WorkQueueUnreachable

log = structlog.get_logger("parrot.shards")

TTL_SECONDS = 15
RENEW_SECONDS = 5.0

# Renew only a claim that is still ours: never extend another process's.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class ShardClaim:
    def __init__(self, url: str, shard_ids: Sequence[int], shard_count: int, owner: str | None = None) -> None:
        self._redis: Redis = Redis.from_url(url)
        self._shards = tuple(shard_ids)
        self._count = shard_count
        self._owner = codec.dumps(
            {"owner": owner or f"{socket.gethostname()} pid {os.getpid()}", "shard_count": shard_count}
        ).decode()
        self._renewer: asyncio.Task[None] | None = None

    async def claim(self) -> None:
        """Claim every shard or none; raises ShardsTaken naming the holders, WorkQueueUnreachable without Redis."""
        try:
            await self._claim()
        except (RedisError, OSError) as error:
            raise WorkQueueUnreachable(
                f"cannot reach Redis (work.redis_url) to claim shards: {type(error).__name__}"
            ) from None

    async def _claim(self) -> None:
        taken: dict[int, str] = {}
        claimed: list[int] = []
        for shard in self._shards:
            if await self._redis.set(keys.shard_key(shard), self._owner, nx=True, ex=TTL_SECONDS):
                claimed.append(shard)
                continue
            holder = await self._redis.get(keys.shard_key(shard))
            taken[shard] = codec.loads(holder)["owner"] if holder else "another process"
        if taken:
            for shard in claimed:
                await self._redis.eval(_RELEASE, 1, keys.shard_key(shard), self._owner)  # type: ignore[misc]
            held = "; ".join(f"shard {shard} by {owner}" for shard, owner in sorted(taken.items()))
            raise ShardsTaken(f"these shards are already run by another process: {held}")
        self._renewer = asyncio.create_task(self._renew(), name="shard-claim")
        log.info("shards claimed", shards=list(self._shards), shard_count=self._count)

    async def release(self) -> None:
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
        with contextlib.suppress(RedisError, OSError):
            for shard in self._shards:
                await self._redis.eval(_RELEASE, 1, keys.shard_key(shard), self._owner)  # type: ignore[misc]
        await self._redis.aclose()

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            try:
                for shard in self._shards:
                    if not await self._redis.eval(_RENEW, 1, keys.shard_key(shard), self._owner, str(TTL_SECONDS)):  # type: ignore[misc]
                        log.error("shard claim lost to another process", shard=shard)
            except (RedisError, OSError):
                # Redis is away: the claim lapses unless it comes back in time; the bot itself carries on.
                log.warning("could not renew the shard claim", exc_info=True)
