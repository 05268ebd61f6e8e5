"""Moving in: a data root's record files, kept before the database, imported into it once.

What is imported, space by space: the settings (with the listening opt-outs and the active model), feedback,
corrections (their retractions replayed in order), thumbs-downs, the review inbox, the voice log, model versions'
metadata and test reports, and datasets' metadata. The files are read as the file stores read them
(adapters/database/file_records.py). Settings,
corrections and the inbox are written by the SQL stores (their keys, word index and reply parts as the stores make
them); feedback, thumbs-downs and voice turns, whose fields are their tables' columns, in one insert each; model
versions and datasets by inserts naming their files, which beside SQLite stay where they are as the blobs, and with
PostgreSQL are copied into its blobs (adapters/database/blobs.py), so every machine finds them. Each record reads
back exactly as it did (tests/integration/database/test_file_import.py).

Each space is imported in one writing transaction that also records it in `file_imports`: it comes in whole or not
at all, and a space recorded there is never imported again. When every space is in, a last row (`data-root`) says
the whole root is, and later starts import nothing, not even a space folder made since (its files are the database
stores' blobs, not records to import). A start killed halfway leaves some spaces recorded and the rest untouched:
the next start imports the rest. Two processes starting at once import each space once: the record is inserted
first, so the second waits for the first's commit (PostgreSQL's unique index, SQLite's write lock) and then finds it.

Nothing under the data root is changed: the files stay where they are, and the log says so (the one thing removed
is what the file store always removed on its first look at a space's models, a version a killed process left
half-published). Parrot no longer writes these files: a data root made since the database holds only its blobs.
With 10,000 corrections, 10,000 feedback notes and 2,000 voice turns, a space takes about 9 s on SQLite (2 shared
cores), once.
"""

import asyncio
import hashlib
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import structlog
from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.database.blobs import DATASETS, MODELS, DatabaseBlobs
from adapters.database.engine import Database
from adapters.database.feedback_log import SqlFeedbackLog
from adapters.database.file_records import ARTIFACT, FileRecords, correction_from_record
from adapters.database.migrate import Migrated
from adapters.database.model_store import REPORTS
from adapters.database.review_store import SqlReviewStore
from adapters.database.schema import datasets as dataset_rows
from adapters.database.schema import feedback, file_imports, model_reports, model_versions, thumbs_down, voice_turns
from adapters.database.settings_store import SqlSettingsStore
from adapters.storage.layout import SpaceLayout
from domain.errors import BackendUnavailable
from domain.ids import GuildId, UserId
from domain.redaction import mask_urls_in
from domain.spaces import Space

log = structlog.get_logger("parrot.database")

T = TypeVar("T")
# The `file_imports` row that says the whole data root is in; a space's own row is named by its key.
DATA_ROOT = "data-root"
# The stores, in the order they are imported and reported.
STORES = (
    "settings",
    "opt-outs",
    "feedback",
    "corrections",
    "thumbs-downs",
    "review items",
    "voice turns",
    "model versions",
    "model reports",
    "datasets",
)
_SPACE_FOLDER = re.compile(r"(guild|dm)-([0-9]+)")


@dataclass(frozen=True, slots=True)
class SpaceImported:
    space: str
    records: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class FileImport:
    """What one run imported; `earlier` is when the whole root had already been imported (then nothing was)."""

    data_root: Path
    spaces: tuple[SpaceImported, ...] = ()
    earlier: datetime | None = None
    totals: Mapping[str, int] = field(default_factory=dict)


class FileImportFailed(Exception):
    """A space could not be imported; nothing of it was, and the next start tries again. The message says why."""


async def import_files(database: Database, layout: SpaceLayout) -> FileImport:
    """Import every space under `layout.root` not imported yet, each in its own transaction (see the module)."""
    with _failing("the database's record of imported files could not be read"):
        await database.start()
        async with database.reading() as connection:
            rows = (await connection.execute(select(file_imports.c.scope, file_imports.c.imported_at))).all()
    done = {str(scope): moment for scope, moment in rows}
    if DATA_ROOT in done:
        return FileImport(layout.root, earlier=done[DATA_ROOT])
    imported: list[SpaceImported] = []
    for space in await asyncio.to_thread(_spaces, layout.root):
        if space.key in done:
            continue
        records = await _import_space(database, layout, space)
        if records is None:
            continue  # another process imported it meanwhile
        imported.append(SpaceImported(space.key, records))
        log.info(
            "imported a space's files into the database, files left in place",
            space=space.key,
            folder=str(layout.space(space)),
            **{_field(store): count for store, count in records.items()},
        )
    totals = {store: sum(space.records[store] for space in imported) for store in STORES}
    with _failing("the database's record of imported files could not be written"):
        await _record_root(database, layout.root, totals)
    log.info(
        "data root imported into the database; its files are left in place, no longer read for these records",
        data_root=str(layout.root),
        database=database.masked_url,
        spaces=len(imported),
        **{_field(store): count for store, count in totals.items()},
    )
    return FileImport(layout.root, tuple(imported), totals=totals)


def _spaces(root: Path) -> list[Space]:
    folder = root / "spaces"
    if not folder.is_dir():
        return []
    spaces = []
    for entry in sorted(folder.iterdir()):
        found = _SPACE_FOLDER.fullmatch(entry.name)
        if found is None or not entry.is_dir() or entry.is_symlink():
            if not entry.name.startswith("."):
                log.warning("not a space's folder, left out of the import", folder=str(entry))
            continue
        kind, number = found.groups()
        spaces.append(Space(GuildId(int(number))) if kind == "guild" else Space(None, UserId(int(number))))
    return spaces


async def _import_space(database: Database, layout: SpaceLayout, space: Space) -> dict[str, int] | None:
    try:
        with _failing(f"the files of {space.key} could not be imported"):
            async with database.writing() as connection:
                # Recorded first: a second process importing the same space waits here for this transaction's end.
                await connection.execute(insert(file_imports).values(_marker(space.key, layout.root, {})))
                # Beside SQLite the files are the blobs already; PostgreSQL gets a copy of each.
                blobs = None if database.is_sqlite else DatabaseBlobs(database)
                records = await _copy(connection, layout, space, blobs)
                await connection.execute(
                    update(file_imports).where(file_imports.c.scope == space.key).values(records=records)
                )
        return records
    except FileImportFailed as failure:
        if isinstance(failure.__cause__, IntegrityError) and await _recorded(database, space.key):
            return None  # another process imported it first
        raise


@contextmanager
def _failing(what: str) -> Iterator[None]:
    """A database or disk error becomes a FileImportFailed that names `what` and the cause, URLs masked."""
    try:
        yield
    except (OSError, SQLAlchemyError, BackendUnavailable) as error:
        # The refusal users would read names no cause: the admin reading this line needs the one beneath it.
        cause = error.__cause__ if isinstance(error, BackendUnavailable) and error.__cause__ else error
        reason = mask_urls_in(f"{type(cause).__name__}: {cause}")
        raise FileImportFailed(f"{what}: {reason}") from error


async def _copy(
    connection: AsyncConnection, layout: SpaceLayout, space: Space, blobs: DatabaseBlobs | None
) -> dict[str, int]:
    """The space's records, read from its files and written in `connection`'s transaction, with the datasets' and
    models' bytes where `blobs` is given; how many of each."""
    tx = _InTransaction(connection)
    files = FileRecords(layout)
    counts = dict.fromkeys(STORES, 0)

    settings = await files.settings(space)
    if settings is not None:
        await SqlSettingsStore(tx).save(space, settings)
        counts["settings"] = 1
        counts["opt-outs"] = len(settings.listening_opted_out)

    counts["feedback"] = await _insert_all(connection, feedback, space, await files.feedback(space))
    rows = SqlFeedbackLog(tx)
    # Replayed record by record: a retraction withdraws the corrections before it, which stay their authors' records.
    for record in await files.correction_records(space):
        if "retracts" in record:
            await rows.retract_correction(space, str(record["retracts"]), _moment(record))
        elif all(key in record for key in ("user_text", "correction", "created_at")):
            await rows.append_correction(space, correction_from_record(record))
            counts["corrections"] += 1
    counts["thumbs-downs"] = await _insert_all(connection, thumbs_down, space, await files.thumbs_downs(space))

    inbox = await files.review_items(space)
    if inbox:
        await SqlReviewStore(tx, per_space=len(inbox)).rewrite(space, inbox)
    counts["review items"] = len(inbox)

    # Every turn the file kept (it was bounded as the table is); the voice log's next append trims as it does.
    counts["voice turns"] = await _insert_all(connection, voice_turns, space, await files.voice_turns(space))

    counts["model versions"], counts["model reports"] = await _copy_models(connection, layout, space, blobs)
    counts["datasets"] = await _copy_datasets(connection, layout, space, blobs)
    return counts


async def _insert_all(connection: AsyncConnection, table: Table, space: Space, records: Sequence[Any]) -> int:
    """Records whose fields are their table's columns (feedback, thumbs-downs, voice turns), in one statement: a
    store's append per record costs a round trip each, some seconds for a space with ten thousand."""
    if records:
        await connection.execute(insert(table), [{"space": space.key, **asdict(record)} for record in records])
    return len(records)


async def _copy_models(
    connection: AsyncConnection, layout: SpaceLayout, space: Space, blobs: DatabaseBlobs | None
) -> tuple[int, int]:
    """Each version's metadata under its own number, its artifact named where it is (`models/<n>/artifact.bin`)."""
    versions = await FileRecords(layout).model_versions(space)
    models = layout.models(space)
    for version in versions:
        artifact = f"{version.number}/{ARTIFACT}"
        await _copy_blob(connection, blobs, space, MODELS, models, artifact)
        await connection.execute(
            insert(model_versions).values(
                space=space.key,
                number=version.number,
                backend=version.backend,
                dataset_name=version.dataset_name,
                dataset_hash=version.dataset_hash,
                created_at=version.created_at,
                example_count=version.example_count,
                intents=list(version.intents),
                metrics=dict(version.metrics),
                artifact=artifact,
            )
        )
    reports = await asyncio.to_thread(_reports, models, [version.number for version in versions])
    for number, document, picture in reports:
        await _copy_blob(connection, blobs, space, MODELS, models, picture)
        await connection.execute(
            insert(model_reports).values(space=space.key, number=number, report=document, picture=picture)
        )
    return len(versions), len(reports)


def _reports(models: Path, numbers: list[int]) -> list[tuple[int | None, dict[str, Any], str]]:
    """The reports the file store kept: each version's `<n>/report.*`, then the cross-validations, oldest first.

    Pictures are named inside `models/`, as the database's own are: a version's stays in its folder
    (`<n>/report.png`), a cross-validation's in `reports/`.
    """
    found: list[tuple[int | None, dict[str, Any], str]] = []
    stems: list[tuple[int | None, Path, str]] = [
        (number, models / str(number) / "report", f"{number}/report.png") for number in numbers
    ]
    folder = models / "reports"
    if folder.is_dir():
        stems += [
            (None, path.with_suffix(""), f"{REPORTS}/{path.with_suffix('.png').name}")
            for path in sorted(folder.glob("cv-*.json"))
        ]
    for number, stem, picture in stems:
        try:
            document = _json_object(stem.with_suffix(".json").read_text("utf-8"))
        except (OSError, ValueError):
            continue  # no report, or a damaged one: shown as none, as the file store did
        if document is not None and stem.with_suffix(".png").is_file():
            found.append((number, document, picture))
    return found


def _json_object(text: str) -> dict[str, Any] | None:
    value = json.loads(text)
    return value if isinstance(value, dict) else None


async def _copy_datasets(
    connection: AsyncConnection, layout: SpaceLayout, space: Space, blobs: DatabaseBlobs | None
) -> int:
    listed = await FileRecords(layout).datasets(space)
    folder = layout.datasets(space)
    for dataset in listed:
        await _copy_blob(connection, blobs, space, DATASETS, folder, dataset.name)
        # Hashed off the event loop: a dataset may be tens of megabytes.
        digest = await asyncio.to_thread(_sha256, folder / dataset.name)
        await connection.execute(
            insert(dataset_rows).values(space=space.key, name=dataset.name, size=dataset.size, sha256=digest)
        )
    return len(listed)


async def _copy_blob(
    connection: AsyncConnection, blobs: DatabaseBlobs | None, space: Space, kind: str, folder: Path, name: str
) -> None:
    if blobs is not None:
        data = await asyncio.to_thread((folder / name).read_bytes)
        await blobs.put(connection, space, kind, name, data)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _moment(record: dict[str, Any]) -> datetime:
    try:
        return datetime.fromisoformat(str(record["created_at"]))
    except (KeyError, ValueError):
        return datetime.now(UTC)


def _marker(scope: str, root: Path, records: Mapping[str, int]) -> dict[str, Any]:
    return {"scope": scope, "data_root": str(root), "imported_at": datetime.now(UTC), "records": dict(records)}


async def _record_root(database: Database, root: Path, totals: Mapping[str, int]) -> None:
    try:
        async with database.writing() as connection:
            await connection.execute(insert(file_imports).values(_marker(DATA_ROOT, root, totals)))
    except IntegrityError:
        if not await _recorded(database, DATA_ROOT):
            raise  # not another process's record of the same root: something else is wrong


async def _recorded(database: Database, scope: str) -> bool:
    async with database.reading() as connection:
        found = await connection.execute(select(file_imports.c.scope).where(file_imports.c.scope == scope))
        return found.first() is not None


def _field(store: str) -> str:
    return store.replace("-", "_").replace(" ", "_")


class _InTransaction(Database):
    """The SQL stores, run inside one transaction of the caller's: each of their transactions is that one."""

    def __init__(self, connection: AsyncConnection) -> None:
        super().__init__(connection.engine)
        self._connection = connection

    async def start(self) -> Migrated:
        raise AssertionError("an import's transaction runs on a database already started")

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        yield self._connection

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncConnection]:
        yield self._connection

    async def write(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        return await work(self._connection)

    async def scrub(self) -> None:
        """Nothing to scrub: an import deletes nobody's records, and the transaction is not over yet."""
