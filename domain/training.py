"""Training data, model versions and evaluation reports."""

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

OUT_OF_SCOPE = "oos"
# Said wherever a report shows `oos`: the name alone means nothing to someone who did not write the dataset.
OUT_OF_SCOPE_MEANING = "out of scope: questions the model should not answer"


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str
    answer: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    examples: tuple[Example, ...]
    answers: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def intents(self) -> tuple[str, ...]:
        return tuple(sorted({e.intent for e in self.examples if e.intent != OUT_OF_SCOPE}))

    @property
    def unanswered(self) -> tuple[str, ...]:
        """The intents the data gives no answer: a model trained on it can only name them."""
        return tuple(intent for intent in self.intents if not self.answers.get(intent, "").strip())

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for example in self.examples:
            digest.update(f"{example.text}\t{example.intent}\n".encode())
        for intent in sorted(self.answers):
            digest.update(f"{intent}\t{self.answers[intent]}\n".encode())
        return digest.hexdigest()[:16]

    def counts(self) -> Counter[str]:
        return Counter(e.intent for e in self.examples)


@dataclass(frozen=True, slots=True)
class Prediction:
    intent: str
    confidence: float
    answer: str | None
    confident: bool
    alternatives: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class ModelVersion:
    number: int
    backend: str
    dataset_name: str
    dataset_hash: str
    created_at: datetime
    example_count: int
    intents: tuple[str, ...]
    metrics: dict[str, float] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    accuracy: float
    macro_f1: float
    example_count: int
    method: str
    oos_precision: float | None = None
    oos_recall: float | None = None
    balanced_threshold: float | None = None
    worst_intents: tuple[tuple[str, float], ...] = ()
    confused_pairs: tuple[tuple[str, str, int], ...] = ()
    labels: tuple[str, ...] = ()
    confusion: tuple[tuple[int, ...], ...] = ()
    # Every intent seen in the evaluation (truths and predictions): `labels` may be a selection of them.
    # 0 in reports kept before it was recorded.
    intent_count: int = 0

    @property
    def mentions_oos(self) -> bool:
        """Whether the report names `oos` (its figures, a weak intent, a confusion, the matrix)."""
        named = {name for name, _ in self.worst_intents} | {name for a, b, _ in self.confused_pairs for name in (a, b)}
        return self.oos_precision is not None or OUT_OF_SCOPE in named or OUT_OF_SCOPE in self.labels

    def summary(self) -> str:
        lines = [
            f"Evaluated on {self.example_count} examples ({self.method}).",
            f"Accuracy: {self.accuracy:.1%} - macro-F1: {self.macro_f1:.1%}",
        ]
        if self.oos_precision is not None and self.oos_recall is not None:
            line = f"Out of scope: precision {self.oos_precision:.1%}, recall {self.oos_recall:.1%}"
            if self.balanced_threshold is not None:
                line += f" (threshold {self.balanced_threshold:.2f} would balance them)"
            lines.append(line)
        if self.worst_intents:
            worst = ", ".join(f"{name} {score:.0%}" for name, score in self.worst_intents)
            lines.append(f"Weakest intents (F1): {worst}")
        if self.confused_pairs:
            pairs = ", ".join(f"{a} -> {b} ({n})" for a, b, n in self.confused_pairs)
            lines.append(f"Most confused: {pairs}")
        if self.mentions_oos:
            lines.append(f"{OUT_OF_SCOPE} = {OUT_OF_SCOPE_MEANING}.")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class TrainingProgress:
    fraction: float
    stage: str
