"""The filesystem adapters: atomic writes, archives, files read by path, datasets' files, one space per guild."""

import zipfile
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest

from adapters.database.blobs import FileBlobs
from adapters.database.dataset_store import SqlDatasetStore
from adapters.database.engine import open_database
from adapters.storage.atomic import write_atomic
from adapters.storage.file_vault import FilesystemVault
from adapters.storage.layout import SpaceLayout
from domain.errors import InvalidArgument, NotFound, PathOutsideRoot, TooLarge
from domain.feedback import Feedback
from domain.ids import ChannelId, GuildId, UserId
from domain.spaces import Space

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


async def test_datasets_are_kept_per_guild_with_safe_names(tmp_path: Path) -> None:
    layout = SpaceLayout(tmp_path)
    database = open_database(f"sqlite+aiosqlite:///{tmp_path / 'parrot.db'}")
    try:
        store = SqlDatasetStore(database, FileBlobs(layout))
        await store.save_dataset(ONE, "../../evil.csv", b"text,intent\n")
        assert [d.name for d in await store.list_datasets(ONE)] == ["evil.csv"]
        assert (layout.datasets(ONE) / "evil.csv").is_file() and not (tmp_path.parent / "evil.csv").exists()
        assert await store.list_datasets(TWO) == []
        with pytest.raises(NotFound):
            await store.read_dataset(TWO, "evil.csv", 1000)
        with pytest.raises(NotFound):  # no dataset of the other guild's is named by a path
            await store.read_dataset(TWO, "../guild-1/datasets/evil.csv", 1000)
        with pytest.raises(TooLarge):
            await store.read_dataset(ONE, "evil.csv", 5)
        # Beneath the store, the files it keeps are read only inside their space.
        with pytest.raises(PathOutsideRoot):
            await FileBlobs(layout).read(TWO, "datasets", "../../guild-1/datasets/evil.csv")
    finally:
        await database.close()


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
