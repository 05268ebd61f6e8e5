"""Heavy work (hearing, speaking, training, testing) as data on one port.

A job says what to do with serialisable values only, never a closure, so the same job runs in this process
or on a worker on another machine. Its result is data too. The adapter behind the port owns the bounded
queue ("busy, try again shortly"), the deadlines and the retries; handlers only describe work and await it.
"""

from dataclasses import dataclass, field
from typing import ClassVar, Generic, Protocol, TypeVar, runtime_checkable

from application.ports.model import ProgressCallback, TrainedArtifact
from domain.speech import EncodedAudio, Transcript
from domain.training import Dataset, EvaluationReport

R = TypeVar("R", covariant=True)
T = TypeVar("T")


class Job(Generic[R]):
    """A unit of heavy work whose result is an `R`. `kind` names it in queues, logs and limits."""

    __slots__ = ()
    kind: ClassVar[str] = ""


@dataclass(frozen=True, slots=True)
class TranscribeJob(Job[Transcript]):
    """Decode `audio` (any container the codec reads), then recognise it.

    `language` None means detect, among `among` (a space's own languages) or else the recogniser's own list.
    """

    kind: ClassVar[str] = "transcribe"

    audio: bytes = field(repr=False)
    filename: str
    max_seconds: float
    language: str | None
    among: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SynthesiseJob(Job[EncodedAudio]):
    """Speak `text` (one sentence) in `language`, encoded for a voice channel."""

    kind: ClassVar[str] = "synthesise"

    text: str
    language: str


@dataclass(frozen=True, slots=True)
class TrainJob(Job[TrainedArtifact]):
    """Fit `backend` on `dataset` (corrections already folded in); the artifact comes back to be published."""

    kind: ClassVar[str] = "train"

    dataset: Dataset
    backend: str


@dataclass(frozen=True, slots=True)
class TestJob(Job[EvaluationReport]):
    """With `artifact`: score that trained model on `dataset`. Without: cross-validate `backend` on `dataset`."""

    __test__: ClassVar[bool] = False  # not a pytest class, whatever its name
    kind: ClassVar[str] = "test"

    dataset: Dataset
    backend: str
    folds: int = 5
    artifact: TrainedArtifact | None = None


@dataclass(frozen=True, slots=True)
class WarmUpJob(Job[None]):
    """Make ready what a spoken turn needs, so the first is no slower than the next: the recogniser, and the
    voices for `languages` (tags such as `en-US`; empty: every voice). Done twice, the second costs nothing.

    Over Redis it readies the worker that takes it, not every worker (`speech.load_at_startup` readies them all).
    """

    kind: ClassVar[str] = "warm_up"

    languages: tuple[str, ...] = ()


AnyJob = TranscribeJob | SynthesiseJob | TrainJob | TestJob | WarmUpJob


class WorkQueueUnreachable(Exception):
    """The queue's service cannot be reached at start-up; the message names the setting to check."""


class ShardsTaken(Exception):
    """Another running bot process (found through the queue's Redis) already runs some of these Discord shards."""


@runtime_checkable
class WorkQueue(Protocol):
    async def start(self) -> None:
        """Connect before the first job; raises WorkQueueUnreachable."""
        ...

    async def run(self, job: Job[T], progress: ProgressCallback | None = None) -> T:
        """The job's result once it is done.

        Raises Busy when the queue is full, BackendUnavailable when the deadline passes or the queue is
        unreachable, TooLarge when the job is too big to send, and the job's own ParrotError (InvalidAudio...).
        `progress` hears (fraction, stage) while it runs, on the event loop.
        """
        ...

    async def close(self) -> None:
        """Stop taking work and free what the adapter holds (pools, connections)."""
        ...
