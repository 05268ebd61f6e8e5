"""The SQL stores under SIGKILL and under two processes at once, on SQLite (WAL) and on PostgreSQL.

A writer process (`store_writer.py`) prints `ack` once its writes to every store are committed; whatever it printed
must be in the database after a SIGKILL at an arbitrary moment. Two writers on one database never lose or duplicate
a record and never give two model versions one number.
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.database.blobs import blobs_for
from adapters.database.dataset_store import SqlDatasetStore
from adapters.database.engine import Database, open_database
from adapters.database.feedback_log import SqlFeedbackLog
from adapters.database.model_store import SqlModelStore
from adapters.database.review_store import SqlReviewStore
from adapters.database.settings_store import SqlSettingsStore
from adapters.database.voice_log import SqlVoiceLog
from adapters.storage.layout import SpaceLayout
from application.ports.model import TrainedArtifact
from domain.ids import UserId
from domain.training import ModelVersion
from support.shared_data import PROJECT_ROOT
from tests.integration.database.store_writer import SPACE, artifact_for, opt_out_id

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new database of each kind: a SQLite file in the test's folder, or a database on the PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'parrot.db'}"
    return str(request.getfixturevalue("postgres_database").url)


@pytest.fixture
async def database(url: str) -> AsyncIterator[Database]:
    """The same database as the writers', opened by the test itself to check what they left."""
    opened = open_database(url)
    yield opened
    await opened.close()


def start_writer(job: str, url: str, root: Path, name: str, count: int, wait: bool) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tests.integration.database.store_writer", job, url, str(root), name, str(count)]
    writer = subprocess.Popen(
        [*command, *(["--wait"] if wait else [])],
        cwd=PROJECT_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    assert writer.stdout.readline() == "ready\n", "the writer could not open and migrate the database"
    return writer


@pytest.fixture
def writers() -> Iterator[list[subprocess.Popen[str]]]:
    """The writers a test starts: killed if the test fails before they end, never left behind."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for writer in started:
        if writer.poll() is None:
            os.kill(writer.pid, signal.SIGKILL)
            writer.communicate(timeout=10)


def kill_after(writer: subprocess.Popen[str], acks_before_kill: int, extra_delay: float) -> list[str]:
    """The `ack` lines it printed, all of them: before the kill and any still in the pipe after it."""
    assert writer.stdout is not None
    acked: list[str] = []
    while len(acked) < acks_before_kill:
        line = writer.stdout.readline()
        assert line.startswith("ack "), "the writer stopped before it was killed"
        acked.append(line.split(maxsplit=1)[1].strip())
    time.sleep(extra_delay)  # land somewhere inside a later write
    os.kill(writer.pid, signal.SIGKILL)
    rest, _ = writer.communicate(timeout=10)
    acked.extend(line.split(maxsplit=1)[1] for line in rest.splitlines() if line.startswith("ack "))
    assert writer.returncode == -signal.SIGKILL
    return acked


def go_and_finish(started: list[subprocess.Popen[str]]) -> list[list[str]]:
    """Tells the waiting writers to go at once; the `ack` lines of each once all have ended well."""
    for writer in started:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
    printed = [writer.communicate(timeout=180)[0] for writer in started]
    assert [writer.returncode for writer in started] == [0] * len(started)
    return [[line.split(maxsplit=1)[1] for line in out.splitlines() if line.startswith("ack ")] for out in printed]


async def stored_records(database: Database, root: Path) -> dict[str, list[str]]:
    """What each record store keeps, each record as the `NAME N` its writer gave it, in the order it is listed."""
    log = SqlFeedbackLog(database)
    return {
        "feedback": [" ".join(item.text.split()[:2]) for item in await log.list_feedback(SPACE, 1_000_000)],
        "corrections": [item.user_text for item in await log.list_corrections(SPACE)],
        "thumbs-downs": [item.user_text for item in await log.list_thumbs_down(SPACE, 1_000_000)],
        "inbox": [item.text for item in await SqlReviewStore(database).load(SPACE)],
        "voice": [turn.transcript for turn in await SqlVoiceLog(database).list_turns(SPACE, 1_000_000)],
        "datasets": [
            info.name.removesuffix(".txt").replace("-", " ")
            for info in await SqlDatasetStore(database, blobs_for(database, SpaceLayout(root))).list_datasets(SPACE)
        ],
    }


async def opted_out(database: Database) -> frozenset[UserId]:
    return (await SqlSettingsStore(database).load(SPACE)).listening_opted_out


def of(name: str, records: list[str]) -> list[str]:
    return [record for record in records if record.startswith(f"{name} ")]


async def test_records_acknowledged_before_a_sigkill_are_kept(
    url: str, database: Database, tmp_path: Path, writers: list[subprocess.Popen[str]]
) -> None:
    for attempt, delay in enumerate((0.0, 0.003, 0.011)):
        name = f"w{attempt}"
        writers.append(start_writer("records", url, tmp_path, name, 0, wait=False))
        acked = [int(n) for n in kill_after(writers[-1], acks_before_kill=20, extra_delay=delay)]
        stored = await stored_records(database, tmp_path)
        for kind, records in stored.items():
            assert {f"{name} {n}" for n in acked} <= set(records), kind
            # Written one after the other: what is kept is every write up to the last, none skipped, none twice.
            assert sorted(of(name, records), key=lambda record: int(record.split()[1])) == [
                f"{name} {n}" for n in range(len(of(name, records)))
            ], kind
        assert {opt_out_id(name, n) for n in acked} <= await opted_out(database)
    # After the kills the database takes the next write at once.
    log = SqlFeedbackLog(database)
    latest = (await log.list_feedback(SPACE, 1))[0]
    await asyncio.wait_for(log.append_feedback(SPACE, replace(latest, text="after")), 10)
    assert [item.text for item in await log.list_feedback(SPACE, 1)] == ["after"]


async def test_a_model_version_acknowledged_before_a_sigkill_is_kept_whole_and_active(
    url: str, database: Database, tmp_path: Path, writers: list[subprocess.Popen[str]]
) -> None:
    for attempt, delay in enumerate((0.0, 0.005, 0.017)):
        writers.append(start_writer("models", url, tmp_path, f"w{attempt}", 0, wait=False))
        acked = [_pair(line) for line in kill_after(writers[-1], acks_before_kill=3, extra_delay=delay)]
        store = SqlModelStore(database, blobs_for(database, SpaceLayout(tmp_path)))
        versions = [version.number for version in await store.list_versions(SPACE)]
        assert {number for number, _ in acked} <= set(versions)
        for number, n in acked:
            assert (await store.load_artifact(SPACE, number)).data == artifact_for(f"w{attempt}", n)
        # Every version kept has its artifact: a publication is whole or absent.
        for kept in versions:
            await store.load_artifact(SPACE, kept)
        active = (await SqlSettingsStore(database).load(SPACE)).active_model
        assert active == max(versions)
    # A writer killed inside its transaction never blocks the next: it publishes at once, numbered after the rest.
    store = SqlModelStore(database, blobs_for(database, SpaceLayout(tmp_path)))
    kept = max(version.number for version in await store.list_versions(SPACE))
    meta = ModelVersion(0, "fake", "d", "h", datetime.now(UTC), 1, ("a",), {})
    published = await asyncio.wait_for(store.publish(SPACE, TrainedArtifact("fake", b"next"), meta, activate=True), 10)
    assert published.number == kept + 1
    assert (await SqlSettingsStore(database).load(SPACE)).active_model == published.number


async def test_two_processes_appending_at_once_neither_lose_nor_duplicate_a_record(
    url: str, database: Database, tmp_path: Path, writers: list[subprocess.Popen[str]]
) -> None:
    count = 150
    writers.extend(start_writer("records", url, tmp_path, name, count, wait=True) for name in ("a", "b"))
    acked = go_and_finish(writers)
    assert acked == [[str(n) for n in range(count)]] * 2
    stored = await stored_records(database, tmp_path)
    expected = Counter(f"{name} {n}" for name in ("a", "b") for n in range(count))
    for kind, records in stored.items():
        assert Counter(records) == expected, kind
        if kind != "datasets":  # listed by name; the others in the order they were written
            for name in ("a", "b"):
                assert of(name, records) == [f"{name} {n}" for n in range(count)], kind
    # Each process added its members to the opt-outs, read and written in one transaction: none lost.
    assert await opted_out(database) == {opt_out_id(name, n) for name in ("a", "b") for n in range(count)}


async def test_two_processes_publishing_models_at_once_never_share_a_version_number(
    url: str, database: Database, tmp_path: Path, writers: list[subprocess.Popen[str]]
) -> None:
    count = 15
    names = ("a", "b")
    writers.extend(start_writer("models", url, tmp_path, name, count, wait=True) for name in names)
    acked = go_and_finish(writers)
    # Each `ack` line is `<version number> <n>`: the n-th publication of that process.
    published = {name: [_pair(line) for line in lines] for name, lines in zip(names, acked, strict=True)}
    numbers = [number for pairs in published.values() for number, _ in pairs]
    assert sorted(numbers) == list(range(1, 2 * count + 1))
    store = SqlModelStore(database, blobs_for(database, SpaceLayout(tmp_path)))
    versions = await store.list_versions(SPACE)
    assert [version.number for version in versions] == list(range(1, 2 * count + 1))
    by_number = {version.number: version for version in versions}
    for name, pairs in published.items():
        assert [n for _, n in pairs] == list(range(count))
        # A process's versions are numbered in the order it published them, each with its own artifact.
        assert [number for number, _ in pairs] == sorted(number for number, _ in pairs)
        for number, n in pairs:
            assert by_number[number].dataset_name == f"{name}.csv"
            assert (await store.load_artifact(SPACE, number)).data == artifact_for(name, n)
    assert (await SqlSettingsStore(database).load(SPACE)).active_model == 2 * count


def _pair(line: str) -> tuple[int, int]:
    number, n = line.split()
    return int(number), int(n)
