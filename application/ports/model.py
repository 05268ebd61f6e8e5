"""The trainable model: backends fit and load artifacts; the store versions them."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from domain.spaces import Space
from domain.training import Dataset, EvaluationReport, ModelVersion, Prediction

ProgressCallback = Callable[[float, str], None]
"""Called with a fraction in [0, 1] and a short stage name; may be called from another thread."""


@dataclass(frozen=True, slots=True)
class TrainedArtifact:
    backend: str
    data: bytes = field(repr=False)
    metrics: dict[str, float] = field(default_factory=dict)


@runtime_checkable
class IntentModel(Protocol):
    """A loaded, trained model. `confident` in a prediction applies the backend's out-of-scope threshold."""

    async def predict(self, text: str) -> Prediction: ...

    async def predict_many(self, texts: Sequence[str]) -> Sequence[Prediction]: ...


@runtime_checkable
class ModelBackend(Protocol):
    name: str

    async def train(self, dataset: Dataset, progress: ProgressCallback) -> TrainedArtifact:
        """Fit off the event loop; raises InvalidDataset or BackendUnavailable."""
        ...

    async def load(self, artifact: TrainedArtifact) -> IntentModel:
        """Make a trained artifact answer; slow loading happens off the event loop."""
        ...


@runtime_checkable
class ReportRenderer(Protocol):
    async def confusion_png(self, report: EvaluationReport) -> bytes:
        """A confusion-matrix picture, cropped to the intents that matter, readable in a chat window."""
        ...


@runtime_checkable
class DatasetParser(Protocol):
    def parse(self, data: bytes, filename: str) -> Dataset:
        """Parse any supported format; raises InvalidDataset listing problems by line."""
        ...


@runtime_checkable
class ModelStore(Protocol):
    async def publish(
        self, space: Space, artifact: TrainedArtifact, version: ModelVersion, activate: bool = False
    ) -> ModelVersion:
        """Store atomically under the next free number (the given number is ignored) and return it.

        With `activate`, the new version becomes the space's active model in the same step, with no other
        publication in between (even from another process): the newest version published is the active one.
        """
        ...

    async def list_versions(self, space: Space) -> Sequence[ModelVersion]: ...

    async def load_artifact(self, space: Space, number: int) -> TrainedArtifact: ...

    async def save_report(self, space: Space, number: int | None, report: EvaluationReport, png: bytes) -> None: ...

    async def load_report(self, space: Space, number: int | None) -> tuple[EvaluationReport, bytes] | None:
        """Version `number`'s test report and its picture, or the latest cross-validation's (None); None if absent."""
        ...


@runtime_checkable
class MeaningSimilarity(Protocol):
    """How alike short messages are in meaning, by the model's own sentence encoder (not by their words).

    `same_meaning` is the score from which two messages ask the same thing: each encoder spreads its scores
    differently, so the adapter that knows the encoder says where the line is.
    """

    same_meaning: float

    async def leads(self, texts: Sequence[str]) -> Sequence[int]:
        """Greedy groups of the texts, in order: for each, the position of the first earlier group lead whose
        similarity with it is at least `same_meaning`, or its own position (it leads a new group). Off the event
        loop; raises BackendUnavailable when the encoder cannot be loaded.
        """
        ...
