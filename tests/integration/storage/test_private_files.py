"""Files with users' data are private on disk: 0600 files in 0700 folders, whatever the umask (issue 14, 10)."""

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.database.blobs import blobs_for
from adapters.database.dataset_store import SqlDatasetStore
from adapters.database.engine import open_database
from adapters.database.feedback_log import SqlFeedbackLog
from adapters.database.model_store import SqlModelStore
from adapters.database.settings_store import SqlSettingsStore
from adapters.logs.setup import open_log_file
from adapters.storage.file_vault import FilesystemVault
from adapters.storage.layout import SpaceLayout
from application.ports.model import TrainedArtifact
from application.ports.storage import SpaceSettings
from domain.feedback import Correction, Feedback
from domain.ids import ChannelId, GuildId, UserId
from domain.spaces import Space
from domain.training import ModelVersion

ONE = Space(guild_id=GuildId(1))
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def lax_umask() -> Iterator[None]:
    previous = os.umask(0o000)  # the worst case: everything made world-writable unless we say otherwise
    try:
        yield
    finally:
        os.umask(previous)


def modes_under(root: Path) -> dict[str, int]:
    return {
        str(path.relative_to(root)): stat.S_IMODE(path.lstat().st_mode) for path in [root, *sorted(root.rglob("*"))]
    }


@pytest.mark.usefixtures("lax_umask")
async def test_every_file_and_folder_of_a_space_is_private(tmp_path: Path) -> None:
    root = tmp_path / "data"
    layout = SpaceLayout(root)
    database = open_database(f"sqlite+aiosqlite:///{root / 'parrot.db'}")
    try:
        log = SqlFeedbackLog(database)
        await log.append_feedback(ONE, Feedback("my phone is 555", UserId(1), "ann", GuildId(1), ChannelId(2), NOW))
        correction = Correction("hi", "bye", "hello", UserId(1), GuildId(1), ChannelId(2), None, NOW)
        await log.append_correction(ONE, correction)
        await SqlSettingsStore(database).save(ONE, SpaceSettings(active_dataset="faq.csv"))
        blobs = blobs_for(database, layout)
        await SqlDatasetStore(database, blobs).save_dataset(ONE, "faq.csv", b"text,intent\n")
        meta = ModelVersion(0, "tfidf", "faq", "abc", NOW, 4, ("a", "b"), {})
        await SqlModelStore(database, blobs).publish(ONE, TrainedArtifact("tfidf", b"one"), meta)
        layout.prepare(ONE)
        (layout.files(ONE) / "a.txt").write_text("A")
        await FilesystemVault(layout).archive_directory(ONE, "files", 1_000_000, 10)
        modes = modes_under(root)  # while the database is open: its write-ahead log and index files too
    finally:
        await database.close()
    ours = {name: mode for name, mode in modes.items() if not name.endswith("a.txt")}  # a.txt: made by the test
    assert {"parrot.db", "parrot.db-wal", "parrot.db-shm", "spaces/guild-1/datasets/faq.csv"} <= set(ours)
    assert any(name.startswith("spaces/guild-1/models/artifact-") for name in ours)
    assert any(name.startswith("spaces/guild-1/archives/") for name in ours)
    folders = {name: mode for name, mode in ours.items() if (root / name).is_dir()}
    files = {name: mode for name, mode in ours.items() if not (root / name).is_dir()}
    assert set(folders.values()) == {0o700}, folders
    assert set(files.values()) == {0o600}, files


@pytest.mark.usefixtures("lax_umask")
async def test_a_database_file_made_before_files_were_private_becomes_private(tmp_path: Path) -> None:
    path = tmp_path / "parrot.db"
    for made in (path, tmp_path / "parrot.db-wal"):
        made.write_bytes(b"")
        made.chmod(0o644)
    database = open_database(f"sqlite+aiosqlite:///{path}")
    try:
        await SqlFeedbackLog(database).append_feedback(
            ONE, Feedback("hi", UserId(1), "ann", GuildId(1), ChannelId(2), NOW)
        )
        assert [stat.S_IMODE(made.stat().st_mode) for made in sorted(tmp_path.iterdir())] == [0o600] * 3
    finally:
        await database.close()


@pytest.mark.usefixtures("lax_umask")
def test_the_log_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "data" / "parrot.log"
    with open_log_file(path) as stream:
        stream.write("a line\n")
    with open_log_file(path) as stream:
        stream.write("another\n")
    assert path.read_text() == "a line\nanother\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
