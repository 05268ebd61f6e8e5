"""Several processes on one database (the bot and `parrot train`, shards) agree on each space's state.

Each "process" here is a database opened on its own engine, as another process opens it; the tests with real
processes at once are in test_store_processes.py. On SQLite (one file) and on a real PostgreSQL.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.database.blobs import blobs_for
from adapters.database.dataset_store import SqlDatasetStore
from adapters.database.engine import Database, open_database
from adapters.database.model_store import SqlModelStore
from adapters.database.settings_store import SqlSettingsStore
from adapters.storage.layout import SpaceLayout
from application.learning.active_models import ActiveModels
from application.ports.model import TrainedArtifact
from application.ports.storage import SpaceSettings
from domain.errors import InvalidArgument
from domain.ids import GuildId
from domain.spaces import Space
from domain.training import ModelVersion, Prediction

SPACE = Space(guild_id=GuildId(1))
META = ModelVersion(0, "numbered", "faq.csv", "h", datetime(2026, 1, 1, tzinfo=UTC), 4, ("a", "b"), {})


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'parrot.db'}"
    return str(request.getfixturevalue("postgres_database").url)


@pytest.fixture
async def processes(url: str) -> AsyncIterator[Callable[[], Database]]:
    """Opens the database once more each call, as one more process would; all closed when the test ends."""
    opened: list[Database] = []

    def another() -> Database:
        opened.append(open_database(url))
        return opened[-1]

    yield another
    for database in opened:
        await database.close()


async def test_a_store_sees_settings_another_process_saved(processes: Callable[[], Database]) -> None:
    bot, cli = SqlSettingsStore(processes()), SqlSettingsStore(processes())
    await bot.save(SPACE, SpaceSettings(active_dataset="faq.csv", active_model=1))
    assert (await bot.load(SPACE)).active_model == 1
    await cli.update(SPACE, lambda s: replace(s, active_model=2))  # `parrot train` beside the running bot
    assert (await bot.load(SPACE)).active_model == 2
    # The bot's next `!select_dataset` keeps the version the other process activated.
    await bot.update(SPACE, lambda s: replace(s, active_dataset="other.csv"))
    assert await cli.load(SPACE) == SpaceSettings(active_dataset="other.csv", active_model=2)


@dataclass
class Numbered:
    """A model that answers with the bytes of its artifact, so the test can tell versions apart."""

    number: bytes

    async def predict(self, text: str) -> Prediction:
        return Prediction(self.number.decode(), 1.0, None, True)

    async def predict_many(self, texts: Sequence[str]) -> Sequence[Prediction]:
        return [await self.predict(text) for text in texts]


class NumberedBackend:
    name = "numbered"

    async def train(self, dataset: object, progress: object) -> TrainedArtifact:
        raise NotImplementedError

    async def load(self, artifact: TrainedArtifact) -> Numbered:
        return Numbered(artifact.data)


async def test_the_serving_process_answers_with_a_version_another_process_activated(
    processes: Callable[[], Database], tmp_path: Path
) -> None:
    bot, cli = processes(), processes()
    bot_store = SqlModelStore(bot, blobs_for(bot, SpaceLayout(tmp_path)))
    models = ActiveModels({"numbered": NumberedBackend()}, bot_store, SqlSettingsStore(bot))
    await bot_store.publish(SPACE, TrainedArtifact("numbered", b"v1"), META, activate=True)
    active = await models.get(SPACE)
    assert active is not None and active[0] == 1
    # `parrot train` in another process publishes version 2 and says it answers from now on.
    cli_store = SqlModelStore(cli, blobs_for(cli, SpaceLayout(tmp_path)))
    await cli_store.publish(SPACE, TrainedArtifact("numbered", b"v2"), META, activate=True)
    active = await models.get(SPACE)
    assert active is not None and active[0] == 2
    assert (await active[1].predict("hi")).intent == "v2"


async def test_two_uploads_of_one_name_at_once_are_both_kept(processes: Callable[[], Database], tmp_path: Path) -> None:
    stores = [
        SqlDatasetStore(database, blobs_for(database, SpaceLayout(tmp_path)))
        for database in (processes() for _ in range(8))
    ]
    names = await asyncio.gather(*(store.save_dataset(SPACE, "faq.csv", b"v%d" % i) for i, store in enumerate(stores)))
    assert sorted(names) == sorted(["faq.csv", *(f"faq-{n}.csv" for n in range(2, 9))])
    kept = {
        info.name: (await stores[0].read_dataset(SPACE, info.name, 100)).data
        for info in await stores[0].list_datasets(SPACE)
    }
    assert sorted(kept.values()) == sorted(b"v%d" % i for i in range(8))


async def test_versions_of_a_name_are_bounded_with_a_refusal(processes: Callable[[], Database], tmp_path: Path) -> None:
    database = processes()
    store = SqlDatasetStore(database, blobs_for(database, SpaceLayout(tmp_path)), max_versions=12)
    for number in range(12):
        await store.save_dataset(SPACE, "inline.txt", b"%d" % number)
    assert await store.save_dataset(SPACE, "inline.txt", b"7") == "inline-8.txt"  # the same data, kept once
    with pytest.raises(InvalidArgument, match=r"There are already 12 datasets named like `inline\.txt`; attach"):
        await store.save_dataset(SPACE, "inline.txt", b"one more")
