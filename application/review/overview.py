"""The first thing the review page shows: which model answers, how good it was, and today's traffic."""

from dataclasses import dataclass

from application.review.activity import ActivityLog, DayCounts
from application.review.models import ModelHistory, ModelsView, VersionView
from domain.spaces import Space


@dataclass(frozen=True, slots=True)
class OverviewView:
    active: VersionView | None
    latest_accuracy: float | None
    today: DayCounts
    models: ModelsView


class Overview:
    def __init__(self, models: ModelHistory, activity: ActivityLog) -> None:
        self._models = models
        self._activity = activity

    async def __call__(self, space: Space) -> OverviewView:
        models = await self._models(space)
        active = models.active
        reports = [view.report for view in models.versions if view.report is not None]
        accuracy = None
        if active is not None and active.report is not None:
            accuracy = active.report.accuracy
        elif reports:
            accuracy = reports[-1].accuracy
        elif models.cross_validation is not None:
            accuracy = models.cross_validation.accuracy
        return OverviewView(active, accuracy, self._activity.today(space), models)
