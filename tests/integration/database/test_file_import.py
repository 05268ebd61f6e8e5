"""Moving in: a data root written by the file stores is imported into the database once, whole, space by space.

The data root is written by the file stores themselves (as the bot wrote it before the database) and read back
through the SQL stores' own methods, on SQLite and on a real PostgreSQL.
"""

import asyncio
import hashlib
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
from adapters.database.migrate import head_revision
from adapters.database.model_store import SqlModelStore
from adapters.database.review_store import SqlReviewStore
from adapters.database.schema import metadata
from adapters.database.settings_store import SqlSettingsStore
from adapters.database.voice_log import SqlVoiceLog
from adapters.storage.atomic import LineAppender
from adapters.storage.dataset_store import FilesystemDatasetStore
from adapters.storage.feedback_log import JsonLinesFeedbackLog
from adapters.storage.layout import SpaceLayout
from adapters.storage.model_store import FilesystemModelStore
from adapters.storage.review_log import JsonLinesReviewStore
from adapters.storage.settings_store import JsonSettingsStore
from adapters.storage.voice_log import JsonLinesVoiceLog
from application.ports.model import TrainedArtifact
from application.ports.review import ReviewItem
from application.ports.storage import SpaceSettings
from domain.feedback import Correction, Feedback, ThumbsDown
from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.spaces import Space
from domain.text import Code, say
from domain.training import EvaluationReport, ModelVersion
from domain.voice_turns import VoiceTurn
from support.postgres_server import PostgresDatabase
from tests.processes import run_parrot

GUILD = Space(GuildId(1))
DIRECT = Space(None, UserId(77))
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ALICE, BOB = UserId(5), UserId(6)
DATASET = b"intent,text\ngreet,hello\ngreet,hi\nbye,goodbye\n"
REPORT = EvaluationReport(0.9, 0.85, 3, "holdout", worst_intents=(("bye", 0.5),), labels=("bye", "greet"))
# What `write_space_with_todays_files` writes, store by store (a correction withdrawn by a retraction counts).
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


async def write_space_with_todays_files(layout: SpaceLayout, space: Space) -> None:
    """Every kind of record, as the file stores keep them."""
    guild = space.guild_id
    appender = LineAppender()
    await JsonSettingsStore(layout).save(
        space,
        SpaceSettings(
            active_dataset="faq.csv",
            language="de",
            spoken_replies=False,
            languages=("de", "en"),
            keep_starter=False,
            listening_opted_out=frozenset({BOB}),
            keep_voice_transcripts=True,
        ),
    )
    log = JsonLinesFeedbackLog(layout, appender)
    await log.append_feedback(space, Feedback("more jokes", ALICE, "alice", guild, ChannelId(10), NOW))
    # Another offset: read back as the same instant.
    later = NOW.astimezone(timezone(timedelta(hours=2))) + timedelta(minutes=1)
    await log.append_feedback(space, Feedback("Grüße ✓", BOB, "bob", guild, ChannelId(11), later))
    await log.append_correction(
        space, Correction("hello", "bye", "hi there", ALICE, guild, ChannelId(10), MessageId(100), NOW)
    )
    await log.append_correction(
        space, Correction("what time", "?", "noon", BOB, guild, ChannelId(10), None, NOW, answers_intent="time")
    )
    await log.retract_correction(space, "Hello!", NOW + timedelta(minutes=2))
    await log.append_correction(
        space, Correction("hello", "bye", "good day", BOB, guild, ChannelId(10), MessageId(101), NOW)
    )
    await log.append_thumbs_down(
        space, ThumbsDown("joke", "no", "jokes", 0.4, BOB, ALICE, guild, ChannelId(10), MessageId(102), NOW)
    )
    review = JsonLinesReviewStore(layout, appender)
    await review.append(space, ReviewItem("joke", "jokes", 0.4, ChannelId(10), NOW, "thumbs-down", "no"))
    await review.append(
        space,
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
    )
    voice = JsonLinesVoiceLog(layout, appender)
    await voice.append_turn(space, VoiceTurn(ALICE, NOW, ChannelId(55), "hello parrot", "hello alice"))
    await voice.append_turn(space, VoiceTurn(BOB, NOW, ChannelId(55), "what time", "noon"))
    name = await FilesystemDatasetStore(layout).save_dataset(space, "faq.csv", DATASET)
    assert name == "faq.csv"
    models = FilesystemModelStore(layout)
    version = ModelVersion(0, "", "faq.csv", hashlib.sha256(DATASET).hexdigest(), NOW, 3, ("bye", "greet"))
    first = await models.publish(space, TrainedArtifact("tfidf", b"model one", {"accuracy": 0.8}), version)
    second = await models.publish(
        space, TrainedArtifact("tfidf", b"model two", {"accuracy": 0.9}), version, activate=True
    )
    assert (first.number, second.number) == (1, 2)
    await models.save_report(space, 2, REPORT, b"png of version 2")
    await models.save_report(space, None, replace(REPORT, method="cross-validation"), b"png of a cross-validation")


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


async def record_counts(database: Database) -> dict[str, int]:
    async with database.reading() as connection:
        return {
            table.name: (await connection.execute(select(func.count()).select_from(table))).scalar_one()
            for table in RECORD_TABLES
        }


async def assert_reads_back_as_the_files(database: Database, layout: SpaceLayout, space: Space) -> None:
    """Each SQL store's reads give what the file store's reads gave."""
    appender = LineAppender()
    files_log = JsonLinesFeedbackLog(layout, appender)
    rows_log = SqlFeedbackLog(database)
    settings = await SqlSettingsStore(database).load(space)
    assert settings == await JsonSettingsStore(layout).load(space)
    assert settings.active_model == 2 and settings.listening_opted_out == {BOB}
    assert await rows_log.list_feedback(space, 10) == await files_log.list_feedback(space, 10)
    assert [f.text for f in await rows_log.list_feedback(space, 10)] == ["more jokes", "Grüße ✓"]
    corrections = await rows_log.list_corrections(space)
    assert corrections == await files_log.list_corrections(space)
    assert [c.correction for c in corrections] == ["noon", "good day"]
    assert corrections[0].answers_intent == "time"
    assert await rows_log.list_thumbs_down(space, 10) == await files_log.list_thumbs_down(space, 10)
    assert len(await rows_log.list_thumbs_down(space, 10)) == 1
    inbox = await SqlReviewStore(database).load(space)
    assert inbox == await JsonLinesReviewStore(layout, appender).load(space)
    assert inbox[1].reply == say("Try ", Code("!help"), ".")
    turns = await SqlVoiceLog(database).list_turns(space, 10)
    assert turns == await JsonLinesVoiceLog(layout, appender).list_turns(space, 10)
    assert len(turns) == 2
    models = SqlModelStore(database, blobs_for(database, layout))
    files_models = FilesystemModelStore(layout)
    assert await models.list_versions(space) == await files_models.list_versions(space)
    assert [v.number for v in await models.list_versions(space)] == [1, 2]
    for number in (1, 2):
        assert await models.load_artifact(space, number) == await files_models.load_artifact(space, number)
    assert (await models.load_artifact(space, 2)).data == b"model two"
    for which in (2, None):
        assert await models.load_report(space, which) == await files_models.load_report(space, which)
    assert await models.load_report(space, 1) is None
    datasets = SqlDatasetStore(database, blobs_for(database, layout))
    assert await datasets.list_datasets(space) == await FilesystemDatasetStore(layout).list_datasets(space)
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
    await write_space_with_todays_files(layout, GUILD)
    await write_space_with_todays_files(layout, DIRECT)
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
    for space in (GUILD, DIRECT):
        await assert_reads_back_as_the_files(database, layout, space)


async def test_a_second_import_adds_nothing_not_even_a_space_made_since(
    database: Database, layout: SpaceLayout
) -> None:
    await write_space_with_todays_files(layout, GUILD)
    first = await import_files(database, layout)
    assert first.earlier is None and len(first.spaces) == 1
    counts = await record_counts(database)
    assert counts["feedback"] == 2 and counts["model_versions"] == 2

    # A guild that joins later keeps its records in the database; its folder holds only the stores' blobs.
    await write_space_with_todays_files(layout, Space(GuildId(2)))
    again = await import_files(database, layout)

    assert again.spaces == () and again.totals == {}
    assert again.earlier is not None
    assert await record_counts(database) == counts


async def test_an_interrupted_import_leaves_none_of_that_space_and_a_rerun_completes(
    database: Database, layout: SpaceLayout, monkeypatch: pytest.MonkeyPatch
) -> None:
    await write_space_with_todays_files(layout, DIRECT)
    await write_space_with_todays_files(layout, GUILD)
    list_versions = FilesystemModelStore.list_versions

    async def fails_for_the_guild(store: FilesystemModelStore, space: Space) -> object:
        # After its settings, logs, inbox and voice turns are written in its transaction.
        if space == GUILD:
            raise OSError(5, "Input/output error")
        return await list_versions(store, space)

    monkeypatch.setattr(FilesystemModelStore, "list_versions", fails_for_the_guild)
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

    monkeypatch.setattr(FilesystemModelStore, "list_versions", list_versions)
    rerun = await import_files(database, layout)

    assert [space.space for space in rerun.spaces] == ["guild-1"]
    assert rerun.totals["feedback"] == 2
    assert await record_counts(database) == {table: 2 * count for table, count in partial.items()}
    for space in (GUILD, DIRECT):
        await assert_reads_back_as_the_files(database, layout, space)


async def test_a_data_root_without_spaces_is_recorded_as_imported(database: Database, layout: SpaceLayout) -> None:
    imported = await import_files(database, layout)
    assert imported.spaces == () and imported.earlier is None
    assert (await import_files(database, layout)).earlier is not None
    assert not layout.root.exists()


def test_parrot_migrate_from_files_imports_once_and_says_what_came_in(tmp_path: Path) -> None:
    layout = SpaceLayout(tmp_path / "data")
    asyncio.run(write_space_with_todays_files(layout, GUILD))

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
            await assert_reads_back_as_the_files(database, layout, GUILD)
        finally:
            await database.close()

    asyncio.run(read_back())


async def test_two_processes_moving_in_at_once_import_each_space_once(database: Database, layout: SpaceLayout) -> None:
    await write_space_with_todays_files(layout, GUILD)
    await write_space_with_todays_files(layout, DIRECT)
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
        await assert_reads_back_as_the_files(database, layout, space)
