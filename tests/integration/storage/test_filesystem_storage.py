"""The filesystem adapters: atomic writes, torn records, archives, model versions, one space per guild."""

import json
import zipfile
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest

from adapters.storage.atomic import LineAppender, write_atomic
from adapters.storage.dataset_store import FilesystemDatasetStore
from adapters.storage.feedback_log import JsonLinesFeedbackLog
from adapters.storage.file_vault import FilesystemVault
from adapters.storage.layout import SpaceLayout
from adapters.storage.model_store import FilesystemModelStore
from adapters.storage.settings_store import JsonSettingsStore
from application.ports.model import TrainedArtifact
from application.ports.storage import SpaceSettings
from domain.errors import InvalidArgument, NotFound, PathOutsideRoot, TooLarge
from domain.feedback import Feedback
from domain.ids import ChannelId, GuildId, UserId
from domain.spaces import Space
from domain.training import ModelVersion

ONE = Space(guild_id=GuildId(1))
TWO = Space(guild_id=GuildId(2))
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def feedback(text: str) -> Feedback:
    return Feedback(text, UserId(1), "ann", GuildId(1), ChannelId(2), NOW)


async def test_atomic_write_replaces_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a" / "settings.json"
    await write_atomic(target, b"one")
    await write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["settings.json"]


async def test_feedback_survives_a_torn_last_line(tmp_path: Path) -> None:
    layout = SpaceLayout(tmp_path)
    log = JsonLinesFeedbackLog(layout, LineAppender())
    await log.append_feedback(ONE, feedback("first"))
    with layout.feedback(ONE).open("a") as handle:
        handle.write('{"text": "half a rec')  # a crash in the middle of a write
    await log.append_feedback(ONE, feedback("second"))
    assert [f.text for f in await log.list_feedback(ONE, 10)] == ["first", "second"]


async def test_concurrent_appends_each_stay_one_whole_line(tmp_path: Path) -> None:
    import asyncio

    layout = SpaceLayout(tmp_path)
    log = JsonLinesFeedbackLog(layout, LineAppender())
    await asyncio.gather(*(log.append_feedback(ONE, feedback(f"n{i} " + "x" * 5000)) for i in range(40)))
    lines = layout.feedback(ONE).read_text().splitlines()
    assert len(lines) == 40 and all(json.loads(line)["text"].startswith("n") for line in lines)


async def test_settings_round_trip_and_persist_across_instances(tmp_path: Path) -> None:
    layout = SpaceLayout(tmp_path)
    await JsonSettingsStore(layout).save(ONE, SpaceSettings(active_dataset="faq.csv", active_model=3))
    assert await JsonSettingsStore(layout).load(ONE) == SpaceSettings(active_dataset="faq.csv", active_model=3)
    assert await JsonSettingsStore(layout).load(TWO) == SpaceSettings()


async def test_datasets_are_kept_per_guild_with_safe_names(tmp_path: Path) -> None:
    store = FilesystemDatasetStore(SpaceLayout(tmp_path))
    await store.save_dataset(ONE, "../../evil.csv", b"text,intent\n")
    assert [d.name for d in await store.list_datasets(ONE)] == ["evil.csv"]
    assert await store.list_datasets(TWO) == []
    with pytest.raises(NotFound):
        await store.read_dataset(TWO, "evil.csv", 1000)
    with pytest.raises(PathOutsideRoot):
        await store.read_dataset(TWO, "../guild-1/datasets/evil.csv", 1000)
    with pytest.raises(TooLarge):
        await store.read_dataset(ONE, "evil.csv", 5)


async def test_getfile_reads_only_inside_the_guilds_files(tmp_path: Path) -> None:
    layout = SpaceLayout(tmp_path)
    vault = FilesystemVault(layout)
    layout.prepare(ONE)
    (layout.files(ONE) / "a.txt").write_text("guild one")
    assert (await vault.read_file(ONE, "a.txt", 100)).data == b"guild one"
    with pytest.raises(NotFound):
        await vault.read_file(TWO, "a.txt", 100)
    with pytest.raises(PathOutsideRoot):
        await vault.read_file(TWO, "../../guild-1/files/a.txt", 100)
    with pytest.raises(TooLarge, match="too large: 9 bytes, the limit is 4 bytes"):
        await vault.read_file(ONE, "a.txt", 4)


async def test_archive_zips_regular_files_and_keeps_a_copy(tmp_path: Path) -> None:
    layout = SpaceLayout(tmp_path)
    vault = FilesystemVault(layout)
    layout.prepare(ONE)
    (layout.files(ONE) / "sub").mkdir()
    (layout.files(ONE) / "a.txt").write_text("A")
    (layout.files(ONE) / "sub" / "b.txt").write_text("B")
    (tmp_path / "outside.txt").write_text("secret")
    (layout.files(ONE) / "link.txt").symlink_to(tmp_path / "outside.txt")
    archive = await vault.archive_directory(ONE, "files", 1_000_000, 10)
    names = zipfile.ZipFile(BytesIO(archive.data)).namelist()
    assert sorted(names) == ["a.txt", "sub/b.txt"]
    assert (layout.archives(ONE) / archive.name).read_bytes() == archive.data


async def test_archive_limits_and_refusals(tmp_path: Path) -> None:
    layout = SpaceLayout(tmp_path)
    vault = FilesystemVault(layout)
    layout.prepare(ONE)
    for i in range(5):
        (layout.files(ONE) / f"{i}.bin").write_bytes(bytes(range(256)) * 40)
    with pytest.raises(InvalidArgument, match="more than 3 files"):
        await vault.archive_directory(ONE, "files", 1_000_000, 3)
    with pytest.raises(TooLarge, match="The archive of `files` is too large"):
        await vault.archive_directory(ONE, "files", 500, 100)
    with pytest.raises(PathOutsideRoot):
        await vault.archive_directory(ONE, "..", 1_000_000, 100)
    with pytest.raises(NotFound):
        await vault.archive_directory(ONE, "nothing", 1_000_000, 100)
    with pytest.raises(InvalidArgument, match="Archives are not archived again"):
        await vault.archive_directory(ONE, "archives", 1_000_000, 100)


async def test_model_versions_are_published_whole_and_numbered(tmp_path: Path) -> None:
    layout = SpaceLayout(tmp_path)
    store = FilesystemModelStore(layout)
    meta = ModelVersion(0, "tfidf", "faq", "abc", NOW, 4, ("a", "b"), {})
    first = await store.publish(ONE, TrainedArtifact("tfidf", b"one", {"accuracy": 0.9}), meta)
    second = await store.publish(ONE, TrainedArtifact("tfidf", b"two"), meta)
    assert (first.number, second.number) == (1, 2)
    assert first.metrics == {"accuracy": 0.9}
    (layout.models(ONE) / ".staging-crashed").mkdir()  # what a crash mid-publish leaves
    assert [v.number for v in await store.list_versions(ONE)] == [1, 2]
    assert (await store.load_artifact(ONE, 1)).data == b"one"
    assert await store.list_versions(TWO) == []
    with pytest.raises(NotFound):
        await store.load_artifact(TWO, 1)
