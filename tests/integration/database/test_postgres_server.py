"""The PostgreSQL server the SQL stores' tests run against: a real one, a fresh database per test, no traces."""

from pathlib import Path

import asyncpg
import pytest

import support.postgres_server as postgres_server_module
from support.postgres_server import PostgresDatabase, PostgresServer, PostgresServerMissing

# The databases the parametrized test below was given, in the order it was given them.
GIVEN: list[str] = []


async def test_the_server_takes_an_asyncpg_connection_and_answers_a_query(postgres_database: PostgresDatabase) -> None:
    connection = await asyncpg.connect(postgres_database.dsn)
    try:
        row = await connection.fetchrow(
            "SELECT current_database() AS name, current_setting('server_encoding') AS encoding, "
            "current_setting('listen_addresses') AS listening, 40 + $1::int AS answer",
            2,
        )
    finally:
        await connection.close()
    assert row is not None
    assert (row["name"], row["encoding"], row["listening"], row["answer"]) == (
        postgres_database.name,
        "UTF8",
        "127.0.0.1",
        42,
    )
    assert postgres_database.url.startswith("postgresql+asyncpg://postgres@127.0.0.1:")
    assert postgres_database.url.endswith(f"/{postgres_database.name}")


@pytest.mark.parametrize("turn", [1, 2])
async def test_each_test_gets_a_database_of_its_own(
    turn: int, postgres_database: PostgresDatabase, postgres_server: PostgresServer
) -> None:
    connection = await asyncpg.connect(postgres_database.dsn)
    try:
        assert await connection.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0
        await connection.execute("CREATE TABLE left_behind (turn int)")
        await connection.execute("INSERT INTO left_behind VALUES ($1)", turn)
    finally:
        await connection.close()
    GIVEN.append(postgres_database.name)
    assert len(set(GIVEN)) == len(GIVEN)
    # The previous test's database is dropped once it ends.
    databases = postgres_server.sql("SELECT datname FROM pg_database").split()
    assert set(GIVEN[:-1]).isdisjoint(databases)
    assert postgres_database.name in databases


def test_a_stopped_server_leaves_no_folder_and_stops_answering() -> None:
    server = PostgresServer()
    server.start()
    folder = server.folder
    assert (folder / "data" / "PG_VERSION").is_file()
    assert server.answers()
    assert server.sql("SELECT datname FROM pg_database WHERE datname = 'parrot'") == "parrot"
    server.stop()
    assert not folder.exists()
    assert not server.answers()


def test_without_the_binaries_the_error_names_the_debian_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres_server_module, "DEBIAN_ROOT", tmp_path / "no-postgresql")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PostgresServerMissing, match=r"apt-get install postgresql"):
        PostgresServer()
    assert postgres_server_module.postgres_missing() is not None


def test_a_database_name_that_would_need_quoting_is_refused(postgres_server: PostgresServer) -> None:
    with pytest.raises(ValueError, match="not a plain database name"):
        postgres_server.create_database("x; DROP DATABASE parrot")
