"""Several processes on one data root (the bot and `parrot train`, later shards) agree on each space's state."""

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.storage.dataset_store import FilesystemDatasetStore
from adapters.storage.layout import SpaceLayout
from adapters.storage.model_store import FilesystemModelStore
from adapters.storage.settings_store import JsonSettingsStore
from application.learning.active_models import ActiveModels
from application.ports.model import TrainedArtifact
from application.ports.storage import SpaceSettings
from domain.errors import InvalidArgument
from domain.training import ModelVersion, Prediction
from support.shared_data import PROJECT_ROOT
from tests.integration.storage.shared_root_worker import SPACE

META = ModelVersion(0, "numbered", "faq.csv", "h", datetime(2026, 1, 1, tzinfo=UTC), 4, ("a", "b"), {})


def run_workers(job: str, times: int, root: Path, processes: int) -> list[str]:
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.integration.storage.shared_root_worker", job, str(times), str(root)],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    lines: list[str] = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        lines.extend(out.splitlines())
    return lines


async def test_a_store_sees_settings_another_process_saved(tmp_path: Path) -> None:
    bot, cli = JsonSettingsStore(SpaceLayout(tmp_path)), JsonSettingsStore(SpaceLayout(tmp_path))
    await bot.save(SPACE, SpaceSettings(active_dataset="faq.csv", active_model=1))
    assert (await bot.load(SPACE)).active_model == 1
    await cli.update(SPACE, lambda s: replace(s, active_model=2))  # `parrot train` beside the running bot
    assert (await bot.load(SPACE)).active_model == 2
    # The bot's next `!select_dataset` keeps the version the other process activated.
    await bot.update(SPACE, lambda s: replace(s, active_dataset="other.csv"))
    assert await cli.load(SPACE) == SpaceSettings(active_dataset="other.csv", active_model=2)


def test_concurrent_read_modify_writes_from_two_processes_lose_nothing(tmp_path: Path) -> None:
    run_workers("count", 60, tmp_path, processes=2)
    settings = JsonSettingsStore(SpaceLayout(tmp_path))
    import asyncio

    assert asyncio.run(settings.load(SPACE)).active_model == 120


def test_two_processes_publishing_at_once_never_share_a_number_and_the_newest_is_active(tmp_path: Path) -> None:
    import asyncio

    lines = run_workers("publish", 15, tmp_path, processes=2)
    acked = [int(line.split()[1]) for line in lines if line.startswith("ack ")]
    assert sorted(acked) == list(range(1, 31))
    layout = SpaceLayout(tmp_path)
    versions = asyncio.run(FilesystemModelStore(layout).list_versions(SPACE))
    assert [v.number for v in versions] == list(range(1, 31))
    # The last version announced by either process is the one that answers.
    assert asyncio.run(JsonSettingsStore(layout).load(SPACE)).active_model == 30


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


async def test_the_serving_process_answers_with_a_version_another_process_activated(tmp_path: Path) -> None:
    bot_layout, cli_layout = SpaceLayout(tmp_path), SpaceLayout(tmp_path)
    bot_store, bot_settings = FilesystemModelStore(bot_layout), JsonSettingsStore(bot_layout)
    models = ActiveModels({"numbered": NumberedBackend()}, bot_store, bot_settings)
    await bot_store.publish(SPACE, TrainedArtifact("numbered", b"v1"), META, activate=True)
    active = await models.get(SPACE)
    assert active is not None and active[0] == 1
    # `parrot train` in another process publishes version 2 and says it answers from now on.
    await FilesystemModelStore(cli_layout).publish(SPACE, TrainedArtifact("numbered", b"v2"), META, activate=True)
    active = await models.get(SPACE)
    assert active is not None and active[0] == 2
    assert (await active[1].predict("hi")).intent == "v2"


async def test_two_uploads_of_one_name_at_once_are_both_kept(tmp_path: Path) -> None:
    import asyncio

    stores = [FilesystemDatasetStore(SpaceLayout(tmp_path)) for _ in range(8)]
    names = await asyncio.gather(*(store.save_dataset(SPACE, "faq.csv", b"v%d" % i) for i, store in enumerate(stores)))
    assert sorted(names) == sorted(["faq.csv", *(f"faq-{n}.csv" for n in range(2, 9))])
    kept = {
        info.name: (await stores[0].read_dataset(SPACE, info.name, 100)).data
        for info in await stores[0].list_datasets(SPACE)
    }
    assert sorted(kept.values()) == sorted(b"v%d" % i for i in range(8))


async def test_versions_of_a_name_are_bounded_with_a_refusal(tmp_path: Path) -> None:
    store = FilesystemDatasetStore(SpaceLayout(tmp_path), max_versions=12)
    for number in range(12):
        await store.save_dataset(SPACE, "inline.txt", b"%d" % number)
    assert await store.save_dataset(SPACE, "inline.txt", b"7") == "inline-8.txt"  # the same data, kept once
    with pytest.raises(InvalidArgument, match=r"There are already 12 datasets named like `inline\.txt`; attach"):
        await store.save_dataset(SPACE, "inline.txt", b"one more")
