"""What a data root's database holds, read as an admin would with `sqlite3`: for tests that check what was kept.

Read-only and synchronous (the standard library's sqlite3), so a test can look between two steps of a running bot;
JSON columns come back decoded. Every row is a space's (`guild-1`, `dm-7`), oldest first.
"""

import json
import sqlite3
from pathlib import Path
from typing import Any

JSON_COLUMNS = frozenset({"languages", "reply_parts", "intents", "metrics", "report"})
ORDER = {"space_settings": "space", "listening_opt_outs": "user_id", "model_versions": "number", "datasets": "name"}


def database_file(data_root: Path) -> Path:
    path = data_root / "parrot.db"
    if not path.is_file():
        raise AssertionError(f"no database at {path}: nothing was kept under this data root")
    return path


def rows(data_root: Path, table: str, space: str) -> list[dict[str, Any]]:
    """The rows of `table` kept for `space`, oldest first (by key where the table has no order of arrival)."""
    order = ORDER.get(table, "id")
    uri = f"file:{database_file(data_root)}?mode=ro"
    with sqlite3.connect(uri, uri=True) as connection:
        connection.row_factory = sqlite3.Row
        if not connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            return []  # made, never migrated: nothing was asked of the database yet, so nothing is in it
        # The table's name is one of the schema's, given by the test itself: never user input.
        found = connection.execute(f"SELECT * FROM {table} WHERE space = ? ORDER BY {order}", (space,)).fetchall()
    return [{key: _value(key, row[key]) for key in row.keys()} for row in found]  # noqa: SIM118


def texts(data_root: Path, table: str, space: str, column: str = "text") -> list[str]:
    """One column of the space's rows, oldest first."""
    return [str(row[column]) for row in rows(data_root, table, space)]


def settings(data_root: Path, space: str) -> dict[str, Any] | None:
    """The space's settings row with its opt-outs (`listening_opted_out`, sorted), or None if none was saved."""
    found = rows(data_root, "space_settings", space)
    if not found:
        return None
    opted_out = [int(row["user_id"]) for row in rows(data_root, "listening_opt_outs", space)]
    return {**found[0], "listening_opted_out": opted_out}


def _value(key: str, value: Any) -> Any:
    return json.loads(value) if key in JSON_COLUMNS and isinstance(value, str) else value
