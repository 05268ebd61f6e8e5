"""A second process on the same data root: it changes settings or publishes models as fast as it can.

`count N ROOT`: N read-modify-writes of the settings, each adding one to `active_model`.
`publish N ROOT`: N model versions published and activated, printing `ack NUMBER` for each.
"""

import asyncio
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from adapters.storage.layout import SpaceLayout
from adapters.storage.model_store import FilesystemModelStore
from adapters.storage.settings_store import JsonSettingsStore
from application.ports.model import TrainedArtifact
from domain.ids import GuildId
from domain.spaces import Space
from domain.training import ModelVersion

SPACE = Space(guild_id=GuildId(1))


async def count(times: int, root: Path) -> None:
    settings = JsonSettingsStore(SpaceLayout(root))
    for _ in range(times):
        await settings.update(SPACE, lambda s: replace(s, active_model=(s.active_model or 0) + 1))


async def publish(times: int, root: Path) -> None:
    store = FilesystemModelStore(SpaceLayout(root))
    meta = ModelVersion(0, "fake", "d", "h", datetime.now(UTC), 1, ("a",), {})
    for _ in range(times):
        version = await store.publish(SPACE, TrainedArtifact("fake", b"x" * 50_000), meta, activate=True)
        print(f"ack {version.number}", flush=True)


if __name__ == "__main__":
    job, times, root = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    asyncio.run(count(times, root) if job == "count" else publish(times, root))
