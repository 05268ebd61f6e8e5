"""Moving in: a data root written by the file stores is imported into the database once, whole, space by space.

The data root is `file_stores_root/`, written by the file stores themselves before they were removed (its README
says how), and each record is read back through the SQL stores' own methods, on SQLite and on a real PostgreSQL,
and compared with what was written: per space, these settings, two feedback notes, three corrections of which a
retraction withdrew one, a thumbs-down, two inbox entries, two voice turns, a dataset, two model versions and two
reports.
"""

import asyncio
import hashlib
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select
from structlog.testing import capture_logs

from adapters.database.blobs import blobs_for
from adapters.database.dataset_store import SqlDatasetStore
from adapters.database.engine import Database, open_database
from adapters.database.feedback_log import SqlFeedbackLog
from adapters.database.file_import import STORES, FileImportFailed, import_files
from adapters.database.file_records import FileRecords
from adapters.database.migrate import head_revision
from adapters.database.model_store import SqlModelStore
from adapters.database.review_store import SqlReviewStore
from adapters.database.schema import metadata
from adapters.database.settings_store import SqlSettingsStore
from adapters.database.voice_log import SqlVoiceLog
from adapters.storage.layout import SpaceLayout
from application.ports.model import TrainedArtifact
from application.ports.review import ReviewItem
from application.ports.storage import DatasetInfo, SpaceSettings
from domain.feedback import Correction, Feedback, ThumbsDown
from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.spaces import Space
from domain.text import Code, say
from domain.training import EvaluationReport, ModelVersion
from domain.voice_turns import VoiceTurn
from support.postgres_server import PostgresDatabase
from tests.processes import run_parrot

# Written by today's file stores (see its README); copied into each test's folder, never changed in place.
WRITTEN_BY_THE_FILE_STORES = Path(__file__).parent / "file_stores_root"
GUILD = Space(GuildId(1))
DIRECT = Space(None, UserId(77))
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ALICE, BOB = UserId(5), UserId(6)
DATASET = b"intent,text\ngreet,hello\ngreet,hi\nbye,goodbye\n"
REPORT = EvaluationReport(0.9, 0.85, 3, "holdout", worst_intents=(("bye", 0.5),), labels=("bye", "greet"))
# What each space of `file_stores_root/` holds, store by store (a correction withdrawn by a retraction counts).
ONE_SPACE = {
    "settings": 1,
    "opt-outs": 1,
    "feedback": 2,
    "corrections": 3,
    "thumbs-downs": 1,
    "review items": 2,
    "voice turns": 2,
    "model versions": 2,
    "model reports": 2,
    "datasets": 1,
}
RECORD_TABLES = [table for table in metadata.sorted_tables if table.name != "file_imports"]


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'parrot.db'}"
    else:
        server: PostgresDatabase = request.getfixturevalue("postgres_database")
        url = server.url
    opened = open_database(url)
    yield opened
    await opened.close()


@pytest.fixture
def layout(tmp_path: Path) -> SpaceLayout:
    return SpaceLayout(tmp_path / "data")


def copy_spaces(layout: SpaceLayout, *spaces: Space, named: Space | None = None) -> None:
    """The spaces' folders as the file stores left them, into `layout`'s data root (one under another name)."""
    for space in spaces:
        source = SpaceLayout(WRITTEN_BY_THE_FILE_STORES).space(space)
        assert source.is_dir(), f"missing test data: {source}"
        shutil.copytree(source, layout.space(named or space))


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


async def record_counts(database: Database) -> dict[str, int]:
    async with database.reading() as connection:
        return {
            table.name: (await connection.execute(select(func.count()).select_from(table))).scalar_one()
            for table in RECORD_TABLES
        }


async def assert_reads_back_as_written(database: Database, layout: SpaceLayout, space: Space) -> None:
    """Each SQL store's reads give the records the file stores wrote (and showed) for the space."""
    guild = space.guild_id
    rows_log = SqlFeedbackLog(database)
    settings = await SqlSettingsStore(database).load(space)
    assert settings == SpaceSettings(
        active_dataset="faq.csv",
        active_model=2,
        language="de",
        spoken_replies=False,
        languages=("de", "en"),
        keep_starter=False,
        listening_opted_out=frozenset({BOB}),
        keep_voice_transcripts=True,
    )
    # Written at another offset: read back as the same instant. A line torn by a crash is left out.
    later = NOW.astimezone(timezone(timedelta(hours=2))) + timedelta(minutes=1)
    assert await rows_log.list_feedback(space, 10) == [
        Feedback("more jokes", ALICE, "alice", guild, ChannelId(10), NOW),
        Feedback("Grüße ✓", BOB, "bob", guild, ChannelId(11), later),
    ]
    # `hello` was corrected, the correction retracted (as `Hello!`), then corrected again.
    assert await rows_log.list_corrections(space) == [
        Correction("what time", "?", "noon", BOB, guild, ChannelId(10), None, NOW, answers_intent="time"),
        Correction("hello", "bye", "good day", BOB, guild, ChannelId(10), MessageId(101), NOW),
    ]
    assert await rows_log.list_thumbs_down(space, 10) == [
        ThumbsDown("joke", "no", "jokes", 0.4, BOB, ALICE, guild, ChannelId(10), MessageId(102), NOW)
    ]
    assert await SqlReviewStore(database).load(space) == [
        ReviewItem("joke", "jokes", 0.4, ChannelId(10), NOW, "thumbs-down", "no"),
        ReviewItem(
            "weather?",
            "weather",
            0.2,
            ChannelId(10),
            NOW,
            "low confidence",
            say("Try ", Code("!help"), "."),
            state="answered",
            answer="sunny",
            author_id=ALICE,
            rater_id=BOB,
            unanswered=True,
        ),
    ]
    assert await SqlVoiceLog(database).list_turns(space, 10) == [
        VoiceTurn(ALICE, NOW, ChannelId(55), "hello parrot", "hello alice"),
        VoiceTurn(BOB, NOW, ChannelId(55), "what time", "noon"),
    ]
    models = SqlModelStore(database, blobs_for(database, layout))
    digest = hashlib.sha256(DATASET).hexdigest()
    assert await models.list_versions(space) == [
        ModelVersion(number, "tfidf", "faq.csv", digest, NOW, 3, ("bye", "greet"), {"accuracy": accuracy})
        for number, accuracy in ((1, 0.8), (2, 0.9))
    ]
    assert await models.load_artifact(space, 1) == TrainedArtifact("tfidf", b"model one", {"accuracy": 0.8})
    assert await models.load_artifact(space, 2) == TrainedArtifact("tfidf", b"model two", {"accuracy": 0.9})
    assert await models.load_report(space, 2) == (REPORT, b"png of version 2")
    cross_validation = replace(REPORT, method="cross-validation")
    assert await models.load_report(space, None) == (cross_validation, b"png of a cross-validation")
    assert await models.load_report(space, 1) is None
    datasets = SqlDatasetStore(database, blobs_for(database, layout))
    assert await datasets.list_datasets(space) == [DatasetInfo("faq.csv", len(DATASET))]
    assert (await datasets.read_dataset(space, "faq.csv", 1000)).data == DATASET
    # Its hash came in too: the same upload again is the same dataset, a different one gets a name of its own.
    assert await datasets.save_dataset(space, "faq.csv", DATASET) == "faq.csv"
    assert await datasets.save_dataset(space, "faq.csv", b"other") == "faq-2.csv"
    # The withdrawn correction came in as Alice's record: `forget me` finds it, and her feedback.
    forgotten = await rows_log.forget_author(space, ALICE)
    assert (forgotten.feedback, forgotten.corrections, forgotten.thumbs_down) == (1, 1, 1)


async def test_a_data_root_written_by_the_file_stores_reads_back_whole_through_the_sql_stores(
    database: Database, layout: SpaceLayout
) -> None:
    copy_spaces(layout, GUILD, DIRECT)
    (layout.root / "spaces" / "not-a-space").mkdir()
    before = snapshot(layout.root)

    with capture_logs() as logs:
        imported = await import_files(database, layout)

    assert [space.space for space in imported.spaces] == ["dm-77", "guild-1"]
    assert all(space.records == ONE_SPACE for space in imported.spaces)
    assert imported.totals == {store: 2 * count for store, count in ONE_SPACE.items()}
    assert list(imported.totals) == list(STORES)
    # The files stay, untouched; the log says so, a line per space and one for the whole root.
    assert snapshot(layout.root) == before
    lines = [entry for entry in logs if entry["log_level"] == "info"]
    assert [line.get("space") for line in lines] == ["dm-77", "guild-1", None]
    assert all("left in place" in line["event"] for line in lines)
    assert lines[-1]["spaces"] == 2 and lines[-1]["corrections"] == 6
    assert any(entry["log_level"] == "warning" and "not-a-space" in entry["folder"] for entry in logs)
    # The guild's two torn lines (see file_stores_root/README.md) are skipped, each named in the log.
    torn = [(entry["path"], entry["line"]) for entry in logs if entry["event"] == "skipped a torn or corrupt record"]
    assert torn == [("feedback.jsonl", 2), ("voice_transcripts.jsonl", 3)]
    for space in (GUILD, DIRECT):
        await assert_reads_back_as_written(database, layout, space)


async def test_a_second_import_adds_nothing_not_even_a_space_made_since(
    database: Database, layout: SpaceLayout
) -> None:
    copy_spaces(layout, GUILD)
    first = await import_files(database, layout)
    assert first.earlier is None and len(first.spaces) == 1
    counts = await record_counts(database)
    assert counts["feedback"] == 2 and counts["model_versions"] == 2

    # A guild that joins later keeps its records in the database; its folder holds only the stores' blobs.
    copy_spaces(layout, GUILD, named=Space(GuildId(2)))
    again = await import_files(database, layout)

    assert again.spaces == () and again.totals == {}
    assert again.earlier is not None
    assert await record_counts(database) == counts


async def test_an_interrupted_import_leaves_none_of_that_space_and_a_rerun_completes(
    database: Database, layout: SpaceLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_spaces(layout, DIRECT, GUILD)
    model_versions = FileRecords.model_versions

    async def fails_for_the_guild(files: FileRecords, space: Space) -> object:
        # After its settings, logs, inbox and voice turns are written in its transaction.
        if space == GUILD:
            raise OSError(5, "Input/output error")
        return await model_versions(files, space)

    monkeypatch.setattr(FileRecords, "model_versions", fails_for_the_guild)
    with pytest.raises(FileImportFailed, match=r"guild-1.*Input/output error"):
        await import_files(database, layout)

    # The direct messages' space came in whole (imported first); nothing of the guild did.
    assert await SqlSettingsStore(database).load(GUILD) == SpaceSettings()
    assert await SqlFeedbackLog(database).list_feedback(GUILD, 10) == []
    assert await SqlFeedbackLog(database).list_corrections(GUILD) == []
    assert await SqlReviewStore(database).load(GUILD) == []
    assert await SqlVoiceLog(database).list_turns(GUILD, 10) == []
    assert await SqlModelStore(database, blobs_for(database, layout)).list_versions(GUILD) == []
    assert len(await SqlFeedbackLog(database).list_feedback(DIRECT, 10)) == 2
    partial = await record_counts(database)

    monkeypatch.setattr(FileRecords, "model_versions", model_versions)
    rerun = await import_files(database, layout)

    assert [space.space for space in rerun.spaces] == ["guild-1"]
    assert rerun.totals["feedback"] == 2
    assert await record_counts(database) == {table: 2 * count for table, count in partial.items()}
    for space in (GUILD, DIRECT):
        await assert_reads_back_as_written(database, layout, space)


async def test_a_data_root_without_spaces_is_recorded_as_imported(database: Database, layout: SpaceLayout) -> None:
    imported = await import_files(database, layout)
    assert imported.spaces == () and imported.earlier is None
    assert (await import_files(database, layout)).earlier is not None
    assert not layout.root.exists()


def test_parrot_migrate_from_files_imports_once_and_says_what_came_in(tmp_path: Path) -> None:
    layout = SpaceLayout(tmp_path / "data")
    copy_spaces(layout, GUILD)

    first = run_parrot("migrate", "--from-files", data_root=layout.root)

    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0].startswith("parrot: migrated sqlite+aiosqlite:///") and lines[0].endswith(f"to {head_revision()}")
    assert (
        lines[1] == f"parrot: imported 1 space(s) from {layout.root} into sqlite+aiosqlite:///{layout.root}/parrot.db:"
    )
    printed = {store.strip(): int(count) for store, count in (line.rsplit(maxsplit=1) for line in lines[2:-1])}
    assert printed == ONE_SPACE
    assert lines[-1] == "parrot: the files are left in place; the database holds these records from now on"
    assert layout.feedback(GUILD).is_file() and (layout.models(GUILD) / "2" / "artifact.bin").is_file()

    second = run_parrot("migrate", "--from-files", data_root=layout.root)

    assert second.returncode == 0, second.stderr
    assert "is up to date" in second.stdout and "nothing more to import" in second.stdout

    async def read_back() -> None:
        database = open_database(f"sqlite+aiosqlite:///{layout.root / 'parrot.db'}")
        try:
            assert (await record_counts(database))["feedback"] == 2
            await assert_reads_back_as_written(database, layout, GUILD)
        finally:
            await database.close()

    asyncio.run(read_back())


async def test_two_processes_moving_in_at_once_import_each_space_once(database: Database, layout: SpaceLayout) -> None:
    copy_spaces(layout, GUILD, DIRECT)
    other = open_database(database.engine.url.render_as_string(hide_password=False))
    try:
        results = await asyncio.gather(import_files(database, layout), import_files(other, layout))
    finally:
        await other.close()

    imported = sorted(space.space for result in results for space in result.spaces)
    assert imported == ["dm-77", "guild-1"]
    counts = await record_counts(database)
    assert counts["feedback"] == 4 and counts["corrections"] == 6 and counts["model_versions"] == 4
    for space in (GUILD, DIRECT):
        await assert_reads_back_as_written(database, layout, space)
