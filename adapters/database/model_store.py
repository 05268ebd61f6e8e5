"""Model versions: their metadata, numbers and which one is active in the database; each artifact a blob.

One transaction takes the next number, keeps the artifact under a name of its own (`artifact-<random>.bin`, never
a name another version or an older data root uses: adapters/database/blobs.py), records the version and, with
`activate`, makes it the space's active model: a version is published whole or not at all, and two publications,
even from two processes, never share a number (the space's lock while the number is chosen, and the primary key).
Where blobs are files, a crash before the commit leaves an unreferenced file, never a version without its artifact.
"""

import json
import secrets
from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.database.blobs import MODELS, Blobs
from adapters.database.engine import Database
from adapters.database.schema import model_reports, model_versions
from adapters.database.settings_store import update_settings
from application.ports.model import TrainedArtifact
from domain.errors import NotFound
from domain.spaces import Space
from domain.training import EvaluationReport, ModelVersion

# Where a space's test reports' pictures are named, inside its models' blobs.
REPORTS = "reports"


class SqlModelStore:
    def __init__(self, database: Database, blobs: Blobs) -> None:
        self._database = database
        self._blobs = blobs

    async def publish(
        self, space: Space, artifact: TrainedArtifact, version: ModelVersion, activate: bool = False
    ) -> ModelVersion:
        name = f"artifact-{secrets.token_hex(8)}.bin"
        metrics = dict(artifact.metrics) | dict(version.metrics)

        async def record(connection: AsyncConnection) -> ModelVersion:
            await self._database.lock_space(connection, space.key)
            mine = model_versions.c.space == space.key
            latest = (await connection.execute(select(func.max(model_versions.c.number)).where(mine))).scalar()
            published = replace(version, number=(latest or 0) + 1, backend=artifact.backend, metrics=metrics)
            await self._blobs.put(connection, space, MODELS, name, artifact.data)
            await connection.execute(
                insert(model_versions).values(
                    space=space.key,
                    number=published.number,
                    backend=published.backend,
                    dataset_name=published.dataset_name,
                    dataset_hash=published.dataset_hash,
                    created_at=published.created_at,
                    example_count=published.example_count,
                    intents=list(published.intents),
                    metrics=published.metrics,
                    artifact=name,
                )
            )
            if activate:
                await update_settings(
                    connection, space, lambda settings: replace(settings, active_model=published.number)
                )
            return published

        try:
            return await self._database.write(record)
        except BaseException:
            await self._blobs.discard(space, MODELS, name)
            raise

    async def list_versions(self, space: Space) -> Sequence[ModelVersion]:
        query = select(model_versions).where(model_versions.c.space == space.key).order_by(model_versions.c.number)
        async with self._database.reading() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_version(row) for row in rows]

    async def load_artifact(self, space: Space, number: int) -> TrainedArtifact:
        query = select(model_versions).where(model_versions.c.space == space.key, model_versions.c.number == number)
        async with self._database.reading() as connection:
            row = (await connection.execute(query)).mappings().first()
        if row is None:
            raise NotFound(f"Model version {number} is missing.")
        try:
            data = await self._blobs.read(space, MODELS, row["artifact"])
        except NotFound:
            raise NotFound(f"Model version {number} is missing.") from None
        return TrainedArtifact(backend=row["backend"], data=data, metrics=dict(row["metrics"]))

    async def save_report(self, space: Space, number: int | None, report: EvaluationReport, png: bytes) -> None:
        picture = f"{REPORTS}/report-{secrets.token_hex(8)}.png"
        # Through JSON, as the file kept it: tuples become lists, read back by `report_from_json`.
        document = json.loads(json.dumps(asdict(report)))
        try:
            async with self._database.writing() as connection:
                await self._blobs.put(connection, space, MODELS, picture, png)
                await connection.execute(
                    insert(model_reports).values(space=space.key, number=number, report=document, picture=picture)
                )
        except BaseException:
            await self._blobs.discard(space, MODELS, picture)
            raise

    async def load_report(self, space: Space, number: int | None) -> tuple[EvaluationReport, bytes] | None:
        which = model_reports.c.number.is_(None) if number is None else model_reports.c.number == number
        query = (
            select(model_reports)
            .where(model_reports.c.space == space.key, which)
            .order_by(model_reports.c.id.desc())
            .limit(1)
        )
        async with self._database.reading() as connection:
            row = (await connection.execute(query)).mappings().first()
        if row is None:
            return None
        try:
            png = await self._blobs.read(space, MODELS, row["picture"])
            return report_from_json(dict(row["report"])), png
        except (NotFound, OSError, ValueError, KeyError, TypeError):
            # A missing or damaged report is shown as no report; the version itself still works.
            return None


def _version(row: Any) -> ModelVersion:
    return ModelVersion(
        number=int(row["number"]),
        backend=row["backend"],
        dataset_name=row["dataset_name"],
        dataset_hash=row["dataset_hash"],
        created_at=row["created_at"],
        example_count=int(row["example_count"]),
        intents=tuple(str(intent) for intent in row["intents"]),
        metrics={str(key): float(value) for key, value in dict(row["metrics"]).items()},
    )


def report_from_json(record: dict[str, Any]) -> EvaluationReport:
    def optional(key: str) -> float | None:
        value = record.get(key)
        return float(value) if value is not None else None

    return EvaluationReport(
        accuracy=float(record["accuracy"]),
        macro_f1=float(record["macro_f1"]),
        example_count=int(record["example_count"]),
        method=str(record["method"]),
        oos_precision=optional("oos_precision"),
        oos_recall=optional("oos_recall"),
        balanced_threshold=optional("balanced_threshold"),
        worst_intents=tuple((str(name), float(score)) for name, score in record.get("worst_intents", [])),
        confused_pairs=tuple((str(a), str(b), int(n)) for a, b, n in record.get("confused_pairs", [])),
        labels=tuple(str(label) for label in record.get("labels", [])),
        confusion=tuple(tuple(int(cell) for cell in row) for row in record.get("confusion", [])),
        intent_count=int(record.get("intent_count") or 0),
    )
