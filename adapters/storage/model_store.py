"""Model versions under a space's `models/`: each a folder published by one atomic rename."""

import asyncio
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.storage.atomic import fsync_directory, make_private_folders, write_atomic_sync
from adapters.storage.layout import SpaceLayout
from adapters.storage.settings_store import update_settings_locked
from adapters.storage.space_lock import space_locked
from application.ports.model import TrainedArtifact
from domain.errors import NotFound
from domain.spaces import Space
from domain.training import EvaluationReport, ModelVersion

ARTIFACT = "artifact.bin"
METADATA = "version.json"
STAGING = ".staging-"


class FilesystemModelStore:
    def __init__(self, layout: SpaceLayout) -> None:
        self._layout = layout
        self._locks: dict[Space, asyncio.Lock] = {}
        self._swept: set[Space] = set()

    async def publish(
        self, space: Space, artifact: TrainedArtifact, version: ModelVersion, activate: bool = False
    ) -> ModelVersion:
        await self._sweep(space)
        async with self._locks.setdefault(space, asyncio.Lock()):
            return await asyncio.to_thread(self._publish, space, artifact, version, activate)

    def _publish(self, space: Space, artifact: TrainedArtifact, version: ModelVersion, activate: bool) -> ModelVersion:
        settings = self._layout.settings(space) if activate else None
        return _publish(self._layout.space(space), self._layout.models(space), artifact, version, settings)

    async def list_versions(self, space: Space) -> Sequence[ModelVersion]:
        await self._sweep(space)
        return await asyncio.to_thread(_list, self._layout.models(space))

    async def load_artifact(self, space: Space, number: int) -> TrainedArtifact:
        await self._sweep(space)
        return await asyncio.to_thread(_load, self._layout.models(space), number)

    async def _sweep(self, space: Space) -> None:
        """On this process's first use of a space: remove what a killed publisher left (its staging folder)."""
        if space in self._swept:
            return
        async with self._locks.setdefault(space, asyncio.Lock()):
            if space not in self._swept:
                await asyncio.to_thread(remove_leftovers, self._layout.models(space))
                self._swept.add(space)

    async def save_report(self, space: Space, number: int | None, report: EvaluationReport, png: bytes) -> None:
        folder = self._layout.models(space)
        target = folder / str(number) if number is not None else folder / "reports"
        stem = "report" if number is not None else datetime.now(UTC).strftime("cv-%Y%m%d-%H%M%S")
        document = json.dumps(asdict(report), indent=2).encode("utf-8")
        await asyncio.to_thread(write_atomic_sync, target / f"{stem}.json", document)
        await asyncio.to_thread(write_atomic_sync, target / f"{stem}.png", png)

    async def load_report(self, space: Space, number: int | None) -> tuple[EvaluationReport, bytes] | None:
        return await asyncio.to_thread(_load_report, self._layout.models(space), number)


def _load_report(folder: Path, number: int | None) -> tuple[EvaluationReport, bytes] | None:
    if number is not None:
        stem = folder / str(number) / "report"
    else:
        found = sorted((folder / "reports").glob("cv-*.json")) if (folder / "reports").is_dir() else []
        if not found:
            return None
        stem = found[-1].with_suffix("")
    try:
        record = json.loads(stem.with_suffix(".json").read_text("utf-8"))
        png = stem.with_suffix(".png").read_bytes()
        return report_from_json(record), png
    except (OSError, ValueError, KeyError, TypeError):
        # A missing or damaged report is shown as no report; the version itself still works.
        return None


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


def _publish(
    space_folder: Path, folder: Path, artifact: TrainedArtifact, version: ModelVersion, activate_in: Path | None
) -> ModelVersion:
    make_private_folders(folder)
    # Named after this process, so that a later start can tell a dead publisher's folder from a live one's.
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING}{os.getpid()}-", dir=folder))
    try:
        write_atomic_sync(staging / ARTIFACT, artifact.data)
        # Another process (`parrot train` beside the bot) may publish into the same folder: the number is
        # chosen, taken and activated under the space's lock, so two publications never get one number
        # and the version activated last is always the newest.
        with space_locked(space_folder):
            numbers = _numbers(folder)
            number = (max(numbers) + 1) if numbers else 1
            published = ModelVersion(
                number=number,
                backend=artifact.backend,
                dataset_name=version.dataset_name,
                dataset_hash=version.dataset_hash,
                created_at=version.created_at,
                example_count=version.example_count,
                intents=version.intents,
                metrics=dict(artifact.metrics) | dict(version.metrics),
            )
            write_atomic_sync(staging / METADATA, json.dumps(_to_json(published), indent=2).encode("utf-8"))
            # The version appears whole or not at all: a crash before this line leaves only a staging folder.
            staging.rename(folder / str(number))
            fsync_directory(folder)
            if activate_in is not None:
                update_settings_locked(activate_in, lambda settings: replace(settings, active_model=number))
        return published
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def remove_leftovers(folder: Path) -> list[str]:
    """Remove staging folders whose process is gone (killed while publishing); the names removed."""
    if not folder.is_dir():
        return []
    removed = []
    for entry in folder.iterdir():
        if entry.name.startswith(STAGING) and entry.is_dir() and not _publisher_alive(entry.name):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
    return removed


def _publisher_alive(name: str) -> bool:
    pid = name.removeprefix(STAGING).split("-", 1)[0]
    if not pid.isdigit():
        return False  # an older name without the process id
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _numbers(folder: Path) -> list[int]:
    if not folder.is_dir():
        return []
    return [int(entry.name) for entry in folder.iterdir() if entry.name.isdigit() and (entry / METADATA).is_file()]


def _list(folder: Path) -> list[ModelVersion]:
    versions = []
    for number in sorted(_numbers(folder)):
        try:
            versions.append(_from_json(json.loads((folder / str(number) / METADATA).read_text("utf-8"))))
        except (ValueError, KeyError, TypeError):
            continue
    return versions


def _load(folder: Path, number: int) -> TrainedArtifact:
    version_folder = folder / str(number)
    try:
        metadata = json.loads((version_folder / METADATA).read_text("utf-8"))
        data = (version_folder / ARTIFACT).read_bytes()
    except FileNotFoundError:
        raise NotFound(f"Model version {number} is missing.") from None
    return TrainedArtifact(backend=str(metadata["backend"]), data=data, metrics=dict(metadata.get("metrics", {})))


def _to_json(version: ModelVersion) -> dict[str, Any]:
    record = asdict(version)
    record["created_at"] = version.created_at.isoformat()
    record["intents"] = list(version.intents)
    return record


def _from_json(record: dict[str, Any]) -> ModelVersion:
    return ModelVersion(
        number=int(record["number"]),
        backend=str(record["backend"]),
        dataset_name=str(record["dataset_name"]),
        dataset_hash=str(record["dataset_hash"]),
        created_at=datetime.fromisoformat(str(record["created_at"])),
        example_count=int(record["example_count"]),
        intents=tuple(str(i) for i in record["intents"]),
        metrics={str(k): float(v) for k, v in dict(record.get("metrics", {})).items()},
    )
