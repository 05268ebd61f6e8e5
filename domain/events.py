"""What happened. Handlers return these; subscribers react to them."""

from dataclasses import dataclass

from domain.feedback import Correction, Feedback, ThumbsDown
from domain.ids import ChannelId, MessageId
from domain.messages import Message, OutgoingFile, Reply
from domain.spaces import Space
from domain.text import Text
from domain.training import EvaluationReport, ModelVersion


@dataclass(frozen=True, slots=True)
class Event:
    pass


@dataclass(frozen=True, slots=True)
class ReplyProduced(Event):
    message: Message
    reply: Reply
    user_text: str
    # False for a turn spoken in voice where the space keeps no voice transcripts: its words are written nowhere.
    keep_words: bool = True


@dataclass(frozen=True, slots=True)
class ReplyRatedDown(Event):
    space: Space
    rating: ThumbsDown
    said: Text | str = ""  # the reply before the chat's markup, when the exchange kept it
    unanswered: bool = False  # the reply only named its intent, which has no answer


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
    """A reply was corrected; with what the model had guessed for the message, when it was a model's answer.

    The correction of record (the feedback log) keeps what was said; the guess is for the review inbox.
    """

    space: Space
    correction: Correction
    intent: str = ""
    confidence: float | None = None
    said: Text | str = ""  # the corrected reply before the chat's markup, when the exchange kept it


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


# A long job's life (training, testing), told as it happens; subscribers show it to the user who asked
# (application/jobs/reports.py): one progress message edited as the job advances, then the outcome.


@dataclass(frozen=True, slots=True)
class JobStarted(Event):
    space: Space
    job_id: str
    kind: str  # "train" or "test": names the job in what users see ("Training", "Testing")
    channel_id: ChannelId
    asked_by: MessageId
    text: Text


@dataclass(frozen=True, slots=True)
class JobProgressed(Event):
    space: Space
    job_id: str
    kind: str
    fraction: float
    stage: str


@dataclass(frozen=True, slots=True)
class JobSucceeded(Event):
    space: Space
    job_id: str
    kind: str
    channel_id: ChannelId
    asked_by: MessageId
    text: Text
    # Sent after the outcome, replying to the command (a test's confusion matrix, with its summary).
    file: OutgoingFile | None = None
    file_text: str = ""


@dataclass(frozen=True, slots=True)
class JobFailed(Event):
    space: Space
    job_id: str
    kind: str
    channel_id: ChannelId
    asked_by: MessageId
    reason: Text
    note: str = ""  # added after the reason (" The active model is unchanged.")


@dataclass(frozen=True, slots=True)
class JobRefused(Event):
    """The job's input was refused before it started (a downloaded dataset that failed its checks): told as a plain
    reply, in the words of the refusal, as the bus tells any command's."""

    space: Space
    job_id: str
    kind: str
    channel_id: ChannelId
    asked_by: MessageId
    reason: Text
