"""Event subscribers: what happens because something else did."""

from collections.abc import Sequence

import structlog

from application.messagebus import BusMessage
from domain.events import (
    DatasetSelected,
    FeedbackSubmitted,
    FilesArchived,
    FileSent,
    ModelActivated,
    ModelTested,
    ModelTrained,
    ReplyCorrected,
    ReplyRatedDown,
    TrainingFailed,
    TrainingStarted,
)

log = structlog.get_logger("parrot.events")


async def log_event(
    event: ModelTrained
    | TrainingFailed
    | ModelTested
    | ModelActivated
    | ReplyCorrected
    | ReplyRatedDown
    | FeedbackSubmitted
    | DatasetSelected
    | FilesArchived
    | FileSent
    | TrainingStarted,
) -> Sequence[BusMessage]:
    """Every change to a space's data or model, and every file sent out of it, leaves one structured line in the log."""
    fields: dict[str, object] = {"space": event.space.key}
    if isinstance(event, ModelTrained):
        fields.update(job_id=event.job_id, version=event.version.number, backend=event.version.backend)
    elif isinstance(event, TrainingFailed):
        fields.update(job_id=event.job_id, reason=event.reason)
    elif isinstance(event, ModelTested):
        fields.update(accuracy=round(event.report.accuracy, 4), version=event.version)
    elif isinstance(event, ModelActivated):
        fields.update(version=event.version)
    elif isinstance(event, DatasetSelected):
        fields.update(dataset=event.name)
    elif isinstance(event, FilesArchived):
        fields.update(directory=event.directory, size=event.size)
    elif isinstance(event, FileSent):
        fields.update(path=event.path, size=event.size)
    elif isinstance(event, TrainingStarted):
        fields.update(job_id=event.job_id)
    log.info(type(event).__name__, **fields)
    return ()
