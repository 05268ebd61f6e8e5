"""A process that writes to the SQL stores as fast as it can, printing `ack <id>` once each write is committed.

`python -m tests.integration.database.store_writer JOB URL ROOT NAME COUNT`: JOB is `records` (a feedback and a
correction per id, both texted `NAME N`) or `models` (a model version per id, its artifact naming NAME and N,
printed as `ack <version number> <N>`); COUNT writes, or until killed when it is 0. Once the database is open and
migrated it prints `ready` and, when `--wait` is given, waits for a line on stdin: two writers told to go at once
really write at the same time.
"""

import asyncio
import itertools
import sys
from datetime import UTC, datetime
from pathlib import Path

from adapters.database.engine import open_database
from adapters.database.feedback_log import SqlFeedbackLog
from adapters.database.model_store import SqlModelStore
from adapters.storage.layout import SpaceLayout
from application.ports.model import TrainedArtifact
from domain.feedback import Correction, Feedback
from domain.ids import ChannelId, GuildId, UserId
from domain.spaces import Space
from domain.training import ModelVersion

SPACE = Space(guild_id=GuildId(1))


def artifact_for(name: str, n: int) -> bytes:
    return f"model {name} {n} ".encode() * 1000


async def main(job: str, url: str, root: Path, name: str, count: int, wait: bool) -> None:
    database = open_database(url)
    try:
        await database.start()
        print("ready", flush=True)
        if wait:
            await asyncio.to_thread(sys.stdin.readline)
        numbers = range(count) if count else itertools.count()
        now = datetime.now(UTC)
        if job == "records":
            log = SqlFeedbackLog(database)
            for n in numbers:
                text = f"{name} {n} " + "x" * 3000
                await log.append_feedback(SPACE, Feedback(text, UserId(n), "u", GuildId(1), ChannelId(1), now))
                correction = Correction(
                    f"{name} {n}", "reply", "answer", UserId(n), GuildId(1), ChannelId(1), None, now
                )
                await log.append_correction(SPACE, correction)
                print(f"ack {n}", flush=True)
        else:
            store = SqlModelStore(database, SpaceLayout(root))
            for n in numbers:
                meta = ModelVersion(0, "fake", f"{name}.csv", "h", now, 1, ("a",), {})
                artifact = TrainedArtifact("fake", artifact_for(name, n))
                version = await store.publish(SPACE, artifact, meta, activate=True)
                print(f"ack {version.number} {n}", flush=True)
    finally:
        await database.close()


if __name__ == "__main__":
    job, url, root, name, count = sys.argv[1:6]
    asyncio.run(main(job, url, Path(root), name, int(count), "--wait" in sys.argv[6:]))
