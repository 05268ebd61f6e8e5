"""A process that writes users' records as fast as it can, printing `ack N` once each is stored.

The crash tests kill it with SIGKILL at an arbitrary moment, then check what it acknowledged.
"""

import asyncio
import hashlib
import sys
from datetime import UTC, datetime
from pathlib import Path

from adapters.storage.atomic import LineAppender
from adapters.storage.feedback_log import JsonLinesFeedbackLog
from adapters.storage.layout import SpaceLayout
from adapters.storage.model_store import FilesystemModelStore
from application.ports.model import TrainedArtifact
from domain.feedback import Correction, Feedback
from domain.ids import ChannelId, GuildId, UserId
from domain.spaces import Space
from domain.training import ModelVersion

SPACE = Space(guild_id=GuildId(1))
ARTIFACT_BYTES = 2_000_000


def artifact_for(number: int) -> bytes:
    seed = hashlib.sha256(str(number).encode()).digest()
    return (seed * (ARTIFACT_BYTES // len(seed) + 1))[:ARTIFACT_BYTES]


async def write_records(root: Path) -> None:
    log = JsonLinesFeedbackLog(SpaceLayout(root), LineAppender())
    now = datetime.now(UTC)
    for n in range(1_000_000):
        text = f"record {n} " + "x" * 3000
        await log.append_feedback(SPACE, Feedback(text, UserId(n), "u", GuildId(1), ChannelId(1), now))
        await log.append_correction(
            SPACE, Correction(f"question {n}", "reply", f"answer {n}", UserId(n), GuildId(1), ChannelId(1), None, now)
        )
        print(f"ack {n}", flush=True)


async def publish_models(root: Path) -> None:
    layout = SpaceLayout(root)
    store = FilesystemModelStore(layout)
    now = datetime.now(UTC)
    for n in range(1, 1_000_000):
        meta = ModelVersion(0, "fake", "d", "h", now, 1, ("a",), {})
        version = await store.publish(SPACE, TrainedArtifact("fake", artifact_for(n)), meta, activate=True)
        print(f"ack {version.number}", flush=True)


if __name__ == "__main__":
    job, root = sys.argv[1], Path(sys.argv[2])
    asyncio.run(write_records(root) if job == "records" else publish_models(root))
