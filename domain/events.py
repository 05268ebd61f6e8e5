"""What happened. Handlers return these; subscribers react to them."""

from dataclasses import dataclass

from domain.feedback import Correction, Feedback, ThumbsDown
from domain.ids import ChannelId
from domain.messages import Message, Reply
from domain.spaces import Space
from domain.training import EvaluationReport, ModelVersion


@dataclass(frozen=True, slots=True)
class Event:
    pass


@dataclass(frozen=True, slots=True)
class ReplyProduced(Event):
    message: Message
    reply: Reply
    user_text: str


@dataclass(frozen=True, slots=True)
class ReplyRatedDown(Event):
    space: Space
    rating: ThumbsDown


@dataclass(frozen=True, slots=True)
class TrainingStarted(Event):
    space: Space
    job_id: str
    channel_id: ChannelId


@dataclass(frozen=True, slots=True)
class ModelTrained(Event):
    space: Space
    job_id: str
    channel_id: ChannelId
    version: ModelVersion


@dataclass(frozen=True, slots=True)
class TrainingFailed(Event):
    space: Space
    job_id: str
    channel_id: ChannelId
    reason: str


@dataclass(frozen=True, slots=True)
class ModelTested(Event):
    space: Space
    channel_id: ChannelId
    report: EvaluationReport
    version: int | None


@dataclass(frozen=True, slots=True)
class ModelActivated(Event):
    space: Space
    version: int


@dataclass(frozen=True, slots=True)
class ReplyCorrected(Event):
    space: Space
    correction: Correction


@dataclass(frozen=True, slots=True)
class FeedbackSubmitted(Event):
    space: Space
    feedback: Feedback


@dataclass(frozen=True, slots=True)
class DatasetSelected(Event):
    space: Space
    name: str


@dataclass(frozen=True, slots=True)
class FilesArchived(Event):
    space: Space
    directory: str
    archive_name: str
    size: int


@dataclass(frozen=True, slots=True)
class FileSent(Event):
    space: Space
    path: str
    size: int
