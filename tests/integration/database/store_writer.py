"""A process that writes to the SQL stores as fast as it can, printing `ack <id>` once each write is committed.

`python -m tests.integration.database.store_writer JOB URL ROOT NAME COUNT`: JOB is `records` (per id N, a record
in every record store, each saying `NAME N`: a feedback, a correction, a thumbs-down, an inbox entry, a voice turn,
a dataset `NAME-N.txt`, and a settings change adding member `opt_out_id(NAME, N)` to the listening opt-outs) or
`models` (a model version per id, its artifact naming NAME and N, printed as `ack <version number> <N>`); COUNT
ids, or until killed when it is 0. Once the database is open and
migrated it prints `ready` and, when `--wait` is given, waits for a line on stdin: two writers told to go at once
really write at the same time.
"""

import asyncio
import itertools
import sys
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from adapters.database.blobs import blobs_for
from adapters.database.dataset_store import SqlDatasetStore
from adapters.database.engine import open_database
from adapters.database.feedback_log import SqlFeedbackLog
from adapters.database.model_store import SqlModelStore
from adapters.database.review_store import SqlReviewStore
from adapters.database.settings_store import SqlSettingsStore
from adapters.database.voice_log import SqlVoiceLog
from adapters.storage.layout import SpaceLayout
from application.ports.model import TrainedArtifact
from application.ports.review import ReviewItem
from application.ports.storage import SpaceSettings
from domain.feedback import Correction, Feedback, ThumbsDown
from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.spaces import Space
from domain.training import ModelVersion
from domain.voice_turns import VoiceTurn

SPACE = Space(guild_id=GuildId(1))


def opt_out_id(name: str, n: int) -> UserId:
    """A member id of its own for each writer and id: `a` 0 and `b` 0 never share one."""
    return UserId(int.from_bytes(name.encode(), "big") * 1_000_000 + n)


def _opt_out(member: UserId, settings: SpaceSettings) -> SpaceSettings:
    return replace(settings, listening_opted_out=settings.listening_opted_out | {member})


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
            review = SqlReviewStore(database)
            voice = SqlVoiceLog(database)
            datasets = SqlDatasetStore(database, blobs_for(database, SpaceLayout(root)))
            settings = SqlSettingsStore(database)
            for n in numbers:
                said = f"{name} {n}"
                await log.append_feedback(
                    SPACE, Feedback(f"{said} " + "x" * 3000, UserId(n), "u", GuildId(1), ChannelId(1), now)
                )
                await log.append_correction(
                    SPACE, Correction(said, "reply", "answer", UserId(n), GuildId(1), ChannelId(1), None, now)
                )
                await log.append_thumbs_down(
                    SPACE, ThumbsDown(said, "r", "i", 0.5, UserId(n), None, GuildId(1), ChannelId(1), MessageId(n), now)
                )
                await review.append(SPACE, ReviewItem(said, "i", 0.5, ChannelId(1), now, "unsure", "r"))
                await voice.append_turn(SPACE, VoiceTurn(UserId(n), now, ChannelId(2), said, "r"))
                await datasets.save_dataset(SPACE, f"{name}-{n}.txt", said.encode())
                member = opt_out_id(name, n)
                await settings.update(SPACE, partial(_opt_out, member))
                print(f"ack {n}", flush=True)
        else:
            store = SqlModelStore(database, blobs_for(database, SpaceLayout(root)))
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
