"""Scoring predictions against the truth: accuracy, macro-F1, out-of-scope detection, confusions. Stdlib only."""

import random
from collections import Counter, defaultdict
from collections.abc import Sequence

from domain.training import OUT_OF_SCOPE, Dataset, EvaluationReport

MAX_MATRIX_LABELS = 20
_WORST = 5
_PAIRS = 5


def evaluate_predictions(
    truths: Sequence[str],
    predicted: Sequence[str],
    confidences: Sequence[float],
    method: str,
    threshold: float | None = None,
) -> EvaluationReport:
    """Score predictions. With `threshold`, a prediction less confident than it counts as out of scope.

    Accuracy counts every example; macro-F1 averages the in-scope intents found in `truths`. Out-of-scope
    precision and recall, and the threshold that would balance them, appear only when `truths` hold `oos`.
    """
    if not len(truths) == len(predicted) == len(confidences):
        raise ValueError("truths, predictions and confidences must have the same length")
    final = [_decide(label, confidence, threshold) for label, confidence in zip(predicted, confidences, strict=True)]
    pairs = list(zip(truths, final, strict=True))
    total = len(pairs)
    in_scope = sorted({t for t in truths if t != OUT_OF_SCOPE})
    f1 = _f1_by_label(pairs, in_scope)
    confusions = Counter((t, p) for t, p in pairs if t != p)
    confused = tuple(
        (t, p, n) for (t, p), n in sorted(confusions.items(), key=lambda item: (-item[1], item[0]))[:_PAIRS]
    )
    worst = tuple(sorted(((label, score) for label, score in f1.items() if score < 1.0), key=lambda i: (i[1], i[0])))
    oos_precision = oos_recall = balanced = None
    if OUT_OF_SCOPE in truths:
        oos_precision, oos_recall = _precision_recall(pairs, OUT_OF_SCOPE)
        balanced = balanced_threshold(truths, predicted, confidences)
    labels = _labels_that_matter(pairs, worst[:_WORST], confused)
    return EvaluationReport(
        accuracy=sum(t == p for t, p in pairs) / total if total else 0.0,
        macro_f1=sum(f1.values()) / len(f1) if f1 else 0.0,
        example_count=total,
        method=method,
        oos_precision=oos_precision,
        oos_recall=oos_recall,
        balanced_threshold=balanced,
        worst_intents=worst[:_WORST],
        confused_pairs=confused,
        labels=labels,
        confusion=_matrix(pairs, labels),
        intent_count=len({label for pair in pairs for label in pair}),
    )


def balanced_threshold(truths: Sequence[str], predicted: Sequence[str], confidences: Sequence[float]) -> float | None:
    """The confidence threshold at which out-of-scope precision and recall are closest (ties: the better F1).

    A prediction counts as out of scope when its intent is `oos` or its confidence is below the threshold.
    Candidates are the midpoints between consecutive confidences, so the answer separates real examples.
    """
    real = sum(t == OUT_OF_SCOPE for t in truths)
    if not real:
        return None
    # Sweep thresholds upwards: each example passed becomes "out of scope" (if it was not already).
    rows = sorted(zip(confidences, truths, predicted, strict=True))
    said = sum(p == OUT_OF_SCOPE for p in predicted)
    hits = sum(t == p == OUT_OF_SCOPE for t, p in zip(truths, predicted, strict=True))
    best: tuple[float, float] | None = None
    best_threshold = 0.0
    for index in range(len(rows) + 1):
        if index > 0:
            _, truth, label = rows[index - 1]
            if label != OUT_OF_SCOPE:
                said += 1
                hits += truth == OUT_OF_SCOPE
            if index < len(rows) and rows[index][0] == rows[index - 1][0]:
                continue  # a threshold cannot fall between equal confidences
        precision = hits / said if said else 0.0
        recall = hits / real
        if precision + recall == 0:
            continue
        score = (abs(precision - recall), -(2 * precision * recall / (precision + recall)))
        if best is None or score < best:
            best = score
            low = rows[index - 1][0] if index > 0 else 0.0
            high = rows[index][0] if index < len(rows) else 1.0
            best_threshold = (low + high) / 2
    return round(best_threshold, 4) if best is not None else None


def split_folds(dataset: Dataset, folds: int, seed: int = 0) -> list[tuple[Dataset, Dataset]]:
    """Stratified cross-validation: (training part, held-out part) for each fold.

    Each intent's examples are shuffled and dealt round the folds, starting where the previous intent
    stopped, so that intents with fewer examples than folds do not all land in the first fold.
    """
    if folds < 2:
        raise ValueError("cross-validation needs at least two folds")
    by_intent: dict[str, list[int]] = defaultdict(list)
    for position, example in enumerate(dataset.examples):
        by_intent[example.intent].append(position)
    rng = random.Random(seed)
    fold_of: dict[int, int] = {}
    start = 0
    for intent in sorted(by_intent):
        positions = by_intent[intent]
        rng.shuffle(positions)
        for rank, position in enumerate(positions):
            fold_of[position] = (start + rank) % folds
        start += len(positions)
    splits: list[tuple[Dataset, Dataset]] = []
    for fold in range(folds):
        kept = tuple(e for i, e in enumerate(dataset.examples) if fold_of[i] != fold)
        held = tuple(e for i, e in enumerate(dataset.examples) if fold_of[i] == fold)
        splits.append(
            (
                Dataset(f"{dataset.name} (train {fold + 1})", kept, dict(dataset.answers)),
                Dataset(f"{dataset.name} (fold {fold + 1})", held, dict(dataset.answers)),
            )
        )
    return splits


def _decide(label: str, confidence: float, threshold: float | None) -> str:
    return OUT_OF_SCOPE if threshold is not None and confidence < threshold else label


def _f1_by_label(pairs: Sequence[tuple[str, str]], labels: Sequence[str]) -> dict[str, float]:
    hits: Counter[str] = Counter(t for t, p in pairs if t == p)
    said: Counter[str] = Counter(p for _, p in pairs)
    real: Counter[str] = Counter(t for t, _ in pairs)
    scores: dict[str, float] = {}
    for label in labels:
        both = said[label] + real[label]
        scores[label] = 2 * hits[label] / both if both else 0.0
    return scores


def _precision_recall(pairs: Sequence[tuple[str, str]], label: str) -> tuple[float, float]:
    hits = sum(t == p == label for t, p in pairs)
    said = sum(p == label for _, p in pairs)
    real = sum(t == label for t, _ in pairs)
    return (hits / said if said else 0.0), (hits / real if real else 0.0)


def _labels_that_matter(
    pairs: Sequence[tuple[str, str]],
    worst: Sequence[tuple[str, float]],
    confused: Sequence[tuple[str, str, int]],
) -> tuple[str, ...]:
    """Every label when they fit in a chat picture; otherwise the confused and the weakest, then the most confused."""
    every = {label for pair in pairs for label in pair}
    if len(every) <= MAX_MATRIX_LABELS:
        return tuple(sorted(every))
    chosen: list[str] = []
    for truth, guess, _ in confused:
        chosen.extend(label for label in (truth, guess) if label not in chosen)
    chosen.extend(label for label, _ in worst if label not in chosen)
    errors: Counter[str] = Counter()
    for truth, guess in pairs:
        if truth != guess:
            errors[truth] += 1
            errors[guess] += 1
    for label, _ in sorted(errors.items(), key=lambda item: (-item[1], item[0])):
        if len(chosen) >= MAX_MATRIX_LABELS:
            break
        if label not in chosen:
            chosen.append(label)
    return tuple(sorted(chosen[:MAX_MATRIX_LABELS]))


def _matrix(pairs: Sequence[tuple[str, str]], labels: Sequence[str]) -> tuple[tuple[int, ...], ...]:
    """Rows are the true labels, columns the predicted ones; pairs outside `labels` are left out."""
    index = {label: i for i, label in enumerate(labels)}
    rows = [[0] * len(labels) for _ in labels]
    for truth, guess in pairs:
        if truth in index and guess in index:
            rows[index[truth]][index[guess]] += 1
    return tuple(tuple(row) for row in rows)
