"""Model versions with their test reports, the active one, and the space's running job: what the models page shows."""

from dataclasses import dataclass
from datetime import datetime

from application.jobs.runner import JobRunner
from application.ports.model import ModelStore
from application.ports.storage import SettingsStore
from domain.spaces import Space
from domain.training import EvaluationReport, ModelVersion


@dataclass(frozen=True, slots=True)
class VersionView:
    version: ModelVersion
    active: bool
    report: EvaluationReport | None


@dataclass(frozen=True, slots=True)
class JobView:
    id: str
    kind: str
    stage: str
    fraction: float
    running: bool
    started_at: datetime


@dataclass(frozen=True, slots=True)
class ModelsView:
    versions: tuple[VersionView, ...]
    cross_validation: EvaluationReport | None
    job: JobView | None

    @property
    def active(self) -> VersionView | None:
        return next((view for view in self.versions if view.active), None)


class JobStatus:
    def __init__(self, jobs: JobRunner) -> None:
        self._jobs = jobs

    def __call__(self, space: Space) -> JobView | None:
        job = self._jobs.current(space)
        if job is None:
            return None
        return JobView(job.id, job.kind, job.stage, job.fraction, job.running, job.started_at)


class ModelHistory:
    def __init__(self, store: ModelStore, settings: SettingsStore, jobs: JobRunner) -> None:
        self._store = store
        self._settings = settings
        self._job = JobStatus(jobs)

    async def __call__(self, space: Space) -> ModelsView:
        versions = await self._store.list_versions(space)
        active = (await self._settings.load(space)).active_model
        views = []
        for version in versions:
            found = await self._store.load_report(space, version.number)
            views.append(VersionView(version, version.number == active, found[0] if found else None))
        cross = await self._store.load_report(space, None)
        return ModelsView(tuple(views), cross[0] if cross else None, self._job(space))


class ReportPicture:
    def __init__(self, store: ModelStore) -> None:
        self._store = store

    async def __call__(self, space: Space, number: int | None) -> bytes | None:
        """The confusion picture of version `number`'s report, or of the latest cross-validation (None)."""
        found = await self._store.load_report(space, number)
        return found[1] if found else None
