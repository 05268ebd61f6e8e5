"""Reading JSON Lines written by LineAppender, skipping a line torn by a crash."""

import json
from pathlib import Path
from typing import Any

import aiofiles
import structlog

log = structlog.get_logger("parrot.storage")


async def read_records(path: Path) -> list[dict[str, Any]]:
    try:
        async with aiofiles.open(path, encoding="utf-8", errors="replace") as handle:
            text = await handle.read()
    except FileNotFoundError:
        return []
    records: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:  # torn, corrupt, or a number too long to convert
            log.warning("skipped a torn or corrupt record", path=path.name, line=number)
            continue
        if isinstance(record, dict):
            records.append(record)
    return records
