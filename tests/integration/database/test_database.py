"""The database adapter beyond the store contracts: migrations, SQLite's settings, bounds, and `parrot migrate`."""

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text
from structlog.testing import capture_logs

from adapters.database.blobs import blobs_for
from adapters.database.engine import Database, DatabaseUnavailable, open_database
from adapters.database.feedback_log import SqlFeedbackLog
from adapters.database.forget_requests import SqlForgetRequests
from adapters.database.member_records import SqlMemberRecords
from adapters.database.migrate import head_revision
from adapters.database.model_store import SqlModelStore
from adapters.database.review_store import SqlReviewStore
from adapters.database.schema import metadata, review_items
from adapters.database.settings_store import SqlSettingsStore
from adapters.database.voice_log import SqlVoiceLog
from adapters.storage.layout import SpaceLayout
from application.ports.model import TrainedArtifact
from application.ports.review import ReviewItem
from application.ports.storage import SpaceSettings
from domain.errors import BackendUnavailable
from domain.feedback import Correction, Feedback
from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.spaces import Space
from domain.training import ModelVersion
from domain.voice_turns import VoiceTurn
from support.shared_data import PROJECT_ROOT

ONE = Space(guild_id=GuildId(1))
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    opened = open_database(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'parrot.db'}")
    yield opened
    await opened.close()


async def test_the_migrations_build_exactly_the_schema_the_stores_query(database: Database) -> None:
    migrated = await database.start()
    assert (migrated.before, migrated.after) == (None, head_revision())
    async with database.reading() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), metadata)
        )
    assert differences == []
    again = await database.start()
    assert again == migrated


async def test_sqlite_runs_with_write_ahead_logging_foreign_keys_and_a_busy_timeout(database: Database) -> None:
    async with database.reading() as connection:
        pragmas = [
            (await connection.execute(text(f"PRAGMA {name}"))).scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        ]
    assert pragmas == ["wal", 1, 10_000]


async def test_a_second_process_finds_the_schema_current_and_the_records_kept(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'parrot.db'}"
    first = open_database(url)
    await SqlSettingsStore(first).save(ONE, SpaceSettings(language="ru-RU"))
    await first.close()
    second = open_database(url)
    try:
        assert (await second.start()).changed is False
        assert (await SqlSettingsStore(second).load(ONE)).language == "ru-RU"
    finally:
        await second.close()


async def test_updates_from_many_tasks_at_once_lose_none(database: Database) -> None:
    store = SqlSettingsStore(database)

    async def opt_out(member: int) -> None:
        await store.update(ONE, lambda s: replace(s, listening_opted_out=s.listening_opted_out | {UserId(member)}))

    await asyncio.gather(*(opt_out(member) for member in range(20)))
    assert (await store.load(ONE)).listening_opted_out == frozenset(UserId(m) for m in range(20))


async def test_publishing_with_activate_sets_the_active_model_in_the_same_transaction(
    database: Database, tmp_path: Path
) -> None:
    store, settings = SqlModelStore(database, blobs_for(database, SpaceLayout(tmp_path))), SqlSettingsStore(database)
    version = ModelVersion(0, "fake", "faq.txt", "hash", NOW, 4, ("a",), {})
    published = await asyncio.gather(
        *(store.publish(ONE, TrainedArtifact("fake", b"x", {}), version, activate=True) for _ in range(5))
    )
    assert sorted(v.number for v in published) == [1, 2, 3, 4, 5]
    assert (await settings.load(ONE)).active_model == 5


async def test_the_review_store_keeps_at_most_twice_its_bound_per_space(database: Database) -> None:
    store = SqlReviewStore(database, per_space=3)
    for number in range(10):
        await store.append(ONE, ReviewItem(f"q {number}", "greet", 0.2, ChannelId(1), NOW, "unsure", "Hi?"))
    assert [item.text for item in await store.load(ONE)] == [f"q {n}" for n in range(4, 10)]
    async with database.reading() as connection:
        assert (await connection.execute(select(func.count()).select_from(review_items))).scalar_one() == 6


async def test_forgetting_an_author_removes_their_corrections_words_too(database: Database) -> None:
    log = SqlFeedbackLog(database)
    for author in (5, 6):
        await log.append_correction(
            ONE,
            Correction("hi there", "?", f"by {author}", UserId(author), GuildId(1), ChannelId(1), MessageId(1), NOW),
        )
    await log.forget_author(ONE, UserId(5))
    async with database.reading() as connection:
        words = (await connection.execute(text("SELECT count(*) FROM correction_words"))).scalar_one()
    assert words == 2  # "hi" and "there" of the correction that stayed


async def test_an_unreachable_database_is_named_with_its_password_masked() -> None:
    database = open_database("postgresql+asyncpg://parrot:hunter2-secret@127.0.0.1:1/parrot")
    try:
        with pytest.raises(DatabaseUnavailable) as error:
            await database.start()
    finally:
        await database.close()
    assert "postgresql+asyncpg://***@127.0.0.1:1/parrot" in str(error.value)
    assert "hunter2" not in str(error.value)


def test_parrot_migrate_brings_a_new_database_up_to_date_once(tmp_path: Path) -> None:
    env = {**os.environ, "PARROT_STORAGE_DATA_ROOT": str(tmp_path / "data"), "PARROT_CONFIG": os.devnull}
    command = [sys.executable, "-m", "cli", "migrate"]
    first = subprocess.run(command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert f"from an empty database to {head_revision()}" in first.stdout
    second = subprocess.run(command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0 and "is up to date" in second.stdout
    with sqlite3.connect(tmp_path / "data" / "parrot.db") as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]


async def test_a_members_last_forget_me_outlasts_a_restart(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'parrot.db'}"
    first = open_database(url)
    await SqlForgetRequests(first).note(ONE, UserId(5), NOW)
    await first.close()
    second = open_database(url)
    try:
        assert await SqlForgetRequests(second).last(ONE, UserId(5)) == NOW
    finally:
        await second.close()


async def test_forget_me_is_one_transaction_a_failure_half_way_leaves_every_record(database: Database) -> None:
    log, voice = SqlFeedbackLog(database), SqlVoiceLog(database)
    await log.append_feedback(ONE, Feedback("note", UserId(5), "alice", GuildId(1), ChannelId(1), NOW))
    await voice.append_turn(ONE, VoiceTurn(UserId(5), NOW, ChannelId(2), "hello", "Hi."))
    async with database.writing() as connection:
        # The last store's delete fails (a table that is not there: an error as a full disk gives, not a lost
        # race), after the forget request and the feedback went in the same transaction.
        await connection.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE DELETE ON voice_turns BEGIN DELETE FROM no_such_table; END"
        )
    with pytest.raises(BackendUnavailable):
        await SqlMemberRecords(database).forget_member([ONE], UserId(5), NOW)
    assert [item.text for item in await log.list_feedback(ONE, 10)] == ["note"]
    assert [turn.transcript for turn in await voice.list_turns(ONE, 10)] == ["hello"]
    assert await SqlForgetRequests(database).last(ONE, UserId(5)) is None


def note(text: str) -> Feedback:
    return Feedback(text, UserId(5), "alice", GuildId(1), ChannelId(1), NOW)


async def test_a_connection_given_back_inside_a_transaction_is_rolled_back_before_its_next_use(
    database: Database,
) -> None:
    log = SqlFeedbackLog(database)
    await log.append_feedback(ONE, note("kept"))
    async with database.engine.connect() as connection:
        # Behind SQLAlchemy's back, as a task cancelled between its statements leaves it: a transaction still open.
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        await driver.execute("BEGIN IMMEDIATE")
        await driver.execute("DELETE FROM feedback")
        assert driver.in_transaction
    # The pool's one connection again: its next writer begins afresh, and the delete was never committed.
    await asyncio.wait_for(log.append_feedback(ONE, note("next")), 5)
    assert [item.text for item in await log.list_feedback(ONE, 10)] == ["kept", "next"]


async def test_writers_cancelled_at_any_moment_commit_whole_records_and_never_block_the_next(
    database: Database,
) -> None:
    log = SqlFeedbackLog(database)
    await database.start()
    for attempt in range(40):
        writer = asyncio.create_task(log.append_feedback(ONE, note(f"maybe {attempt}")))
        for _ in range(attempt % 8):
            await asyncio.sleep(0)  # a different moment each time: before BEGIN, in the insert, in the commit
        writer.cancel()
        await asyncio.sleep(0)
        writer.cancel()  # again, inside whatever it was doing when the first one landed: its rollback, its close
        with pytest.raises(asyncio.CancelledError):
            await writer
        await asyncio.wait_for(log.append_feedback(ONE, note(f"sure {attempt}")), 5)
    texts = [item.text for item in await log.list_feedback(ONE, 1000)]
    assert [text for text in texts if text.startswith("sure")] == [f"sure {n}" for n in range(40)]
    assert all(text.startswith(("sure", "maybe")) for text in texts)


async def test_a_database_locked_past_the_busy_timeout_is_a_refusal_and_the_cause_is_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("adapters.database.engine.BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "parrot.db"
    database = open_database(f"sqlite+aiosqlite:///{path}")
    try:
        await database.start()
        other = sqlite3.connect(path, isolation_level=None)  # another process, writing for longer than we wait
        other.execute("BEGIN IMMEDIATE")
        try:
            with capture_logs() as logs, pytest.raises(BackendUnavailable, match="storage is full or not writable"):
                await SqlFeedbackLog(database).append_feedback(ONE, note("waits"))
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert any("database is locked" in str(entry.get("error")) for entry in logs)
        await SqlFeedbackLog(database).append_feedback(ONE, note("later"))
        assert [item.text for item in await SqlFeedbackLog(database).list_feedback(ONE, 10)] == ["later"]
    finally:
        await database.close()


async def test_many_processes_opening_a_new_database_at_once_all_start(tmp_path: Path) -> None:
    # Shards starting together on a new file: each switches it to write-ahead logging, which SQLite refuses at once
    # (without the busy timeout's wait) to one that tries while another holds a lock. A race, so many rounds: before
    # the retry in adapters/database/engine.py, about one run of this test in three had a process fail to start.
    for attempt in range(20):
        url = f"sqlite+aiosqlite:///{tmp_path / str(attempt) / 'parrot.db'}"
        processes = [open_database(url) for _ in range(16)]
        try:
            started = await asyncio.gather(*(database.start() for database in processes), return_exceptions=True)
            assert [error for error in started if isinstance(error, BaseException)] == []
            async with processes[0].reading() as connection:
                assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        finally:
            for database in processes:
                await database.close()
