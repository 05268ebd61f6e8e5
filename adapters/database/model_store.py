"""Model versions: their metadata, numbers and which one is active in the database; each artifact a file.

The artifact is written first, under a name of its own (`models/artifact-<random>.bin`, never a name another
version or an older data root uses), then one transaction takes the next number, records the version and, with
`activate`, makes it the space's active model: a version is published whole or not at all, and two publications,
even from two processes, never share a number (the space's lock while the number is chosen, and the primary key).
A crash between the two steps leaves an unreferenced file, never a version without its artifact.
"""

import asyncio
import json
import secrets
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.database.engine import Database
from adapters.database.schema import model_reports, model_versions
from adapters.database.settings_store import update_settings
from adapters.storage.atomic import write_atomic_sync
from adapters.storage.layout import SpaceLayout
from adapters.storage.model_store import report_from_json
from application.ports.model import TrainedArtifact
from domain.errors import NotFound
from domain.spaces import Space
from domain.training import EvaluationReport, ModelVersion


class SqlModelStore:
    def __init__(self, database: Database, layout: SpaceLayout) -> None:
        self._database = database
        self._layout = layout

    async def publish(
        self, space: Space, artifact: TrainedArtifact, version: ModelVersion, activate: bool = False
    ) -> ModelVersion:
        name = f"artifact-{secrets.token_hex(8)}.bin"
        path = self._layout.models(space) / name
        await asyncio.to_thread(write_atomic_sync, path, artifact.data)
        metrics = dict(artifact.metrics) | dict(version.metrics)

        async def record(connection: AsyncConnection) -> ModelVersion:
            await self._database.lock_space(connection, space.key)
            mine = model_versions.c.space == space.key
            latest = (await connection.execute(select(func.max(model_versions.c.number)).where(mine))).scalar()
            published = replace(version, number=(latest or 0) + 1, backend=artifact.backend, metrics=metrics)
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
            path.unlink(missing_ok=True)
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
            data = await asyncio.to_thread((self._layout.models(space) / row["artifact"]).read_bytes)
        except FileNotFoundError:
            raise NotFound(f"Model version {number} is missing.") from None
        return TrainedArtifact(backend=row["backend"], data=data, metrics=dict(row["metrics"]))

    async def save_report(self, space: Space, number: int | None, report: EvaluationReport, png: bytes) -> None:
        picture = f"report-{secrets.token_hex(8)}.png"
        path = self._reports(space) / picture
        await asyncio.to_thread(write_atomic_sync, path, png)
        # Through JSON, as the file kept it: tuples become lists, read back by `report_from_json`.
        document = json.loads(json.dumps(asdict(report)))
        try:
            async with self._database.writing() as connection:
                await connection.execute(
                    insert(model_reports).values(space=space.key, number=number, report=document, picture=picture)
                )
        except BaseException:
            path.unlink(missing_ok=True)
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
            png = await asyncio.to_thread((self._reports(space) / row["picture"]).read_bytes)
            return report_from_json(dict(row["report"])), png
        except (OSError, ValueError, KeyError, TypeError):
            # A missing or damaged report is shown as no report; the version itself still works.
            return None

    def _reports(self, space: Space) -> Path:
        return self._layout.models(space) / "reports"


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
