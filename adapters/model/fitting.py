"""Fitting a local model, run in a worker process: features, weights from held-out scores, final fit.

Embedding head: logistic regression on the sentence vectors (one per block of a paired encoder); its own
probabilities are used as they are (C=10 leaves them a little under-confident, which is what lets a threshold
on the top probability refuse out-of-scope messages). TF-IDF head: linear SVM on word and character n-grams;
alone, its scores go through a softmax at the temperature with the lowest log-loss on held-out examples (SVM
scores have no scale of their own, and a fixed one leaves a model trained on few examples per intent unsure of
everything). A hybrid mixes the two sets of logits, (1 - w) * embedding + w * 3 * tfidf, so the mixture stays
about as sharp as the regression; w is the one that classifies held-out examples best (ties: lowest log-loss).
Held-out scores are out-of-fold scores of a 5-fold cross-validation for sets of up to 2,000 examples (fits are
cheap there), of a stratified fifth for larger ones; sets too small to hold anything out keep defaults.

Fitting the regression's temperature too was tried and dropped: calibrated on in-scope examples only, it
makes a model trained on a few easy intents sure of everything, out-of-scope messages included.
"""

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from adapters.model.encoder import ENCODER_BLOCKS, shared_encoder
from adapters.model.linear_artifact import LinearArtifact, LinearHead
from adapters.model.linear_artifact import embedding_scores as embedding_scores_of
from adapters.model.text_features import TextFeatures
from domain.dataset_rules import normalise_text

HOLDOUT_SHARE = 0.2
CROSS_VALIDATION_UP_TO = 2_000
FOLDS = 5
MIN_HELD_OUT = 10
# A margin of 1 (a typical training example) against -1 (the other classes) becomes a clear lead.
DEFAULT_SVM_TEMPERATURE = 3.0
TEMPERATURES = tuple(float(t) for t in np.geomspace(0.5, 50.0, 41))
TFIDF_SHARES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
DEFAULT_TFIDF_SHARE = 0.4
# The TF-IDF head is a dense matrix of intents x n-grams, in training, in the model file and in memory when
# answering: its size is bounded whatever the dataset (48 MB as float32), by keeping fewer n-grams (the most
# frequent) when there are many intents, and never more than MAX_TERMS. The benchmarks' largest (BANKING77:
# 77 intents x 38,000 n-grams, 2.9 million weights) stays whole.
MAX_TFIDF_WEIGHTS = 12_000_000
MAX_TERMS = 200_000

Floats = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class FitRequest:
    """Everything a worker process needs, as plain picklable values."""

    backend: str
    use_embeddings: bool
    use_tfidf: bool
    texts: tuple[str, ...]
    labels: tuple[str, ...]
    answers: dict[str, str] = field(default_factory=dict)
    embedding_c: float = 10.0
    tfidf_c: float = 0.3
    model_path: str | None = None
    tokenizer_path: str | None = None
    threads: int = 2
    encoder: str = "minilm"
    seed: int = 0
    job: str = ""


# Set in each worker process by the pool's initializer: where progress goes (a multiprocessing queue).
_progress_queue: Any = None


def install_progress_queue(queue: Any) -> None:
    global _progress_queue
    _progress_queue = queue


def _report(request: FitRequest, fraction: float, stage: str) -> None:
    if _progress_queue is not None:
        _progress_queue.put((request.job, round(fraction, 3), stage))


@dataclass(slots=True)
class _Features:
    embeddings: NDArray[np.float32] | None
    tfidf: Any  # scipy.sparse.csr_matrix | None
    text_features: TextFeatures | None

    def rows(self, index: NDArray[np.intp]) -> "_Features":
        return _Features(
            self.embeddings[index] if self.embeddings is not None else None,
            self.tfidf[index] if self.tfidf is not None else None,
            self.text_features,
        )


def fit(request: FitRequest) -> tuple[bytes, dict[str, float]]:
    """Fit and pack a model: (artifact bytes, metrics)."""
    started = time.perf_counter()
    _report(request, 0.02, "preparing")
    features = _features(request)
    y = np.array(request.labels)
    metrics: dict[str, float] = {"examples": float(len(y)), "labels": float(len(set(request.labels)))}
    embedding_weight, tfidf_weight = (1.0, 0.0) if request.use_embeddings else (0.0, DEFAULT_SVM_TEMPERATURE)
    if request.use_embeddings and request.use_tfidf:
        embedding_weight, tfidf_weight = 1.0 - DEFAULT_TFIDF_SHARE, DEFAULT_TFIDF_SHARE * DEFAULT_SVM_TEMPERATURE
    if request.use_tfidf:
        scored = _held_out_scores(request, features, y)
        if scored:
            if request.use_embeddings:
                share, accuracy = _best_share(np.unique(y), scored)
                embedding_weight, tfidf_weight = 1.0 - share, share * DEFAULT_SVM_TEMPERATURE
            else:
                tfidf_weight, accuracy = _best_temperature(np.unique(y), scored)
            metrics.update(held_out_examples=float(sum(len(y) for _, y in scored)), held_out_accuracy=accuracy)
    _report(request, 0.88, "fitting")
    heads = _fit_heads(request, features, y)
    labels = tuple(str(label) for label in heads.classes)
    artifact = LinearArtifact(
        backend=request.backend,
        labels=labels,
        answers={k: v for k, v in request.answers.items() if k in labels},
        embedding_weight=embedding_weight,
        tfidf_weight=tfidf_weight,
        embedding=heads.embedding,
        tfidf=heads.tfidf,
        features=features.text_features,
        encoder=request.encoder if request.use_embeddings else "",
        memory={normalise_text(text): label for text, label in zip(request.texts, request.labels, strict=True)},
    )
    data = artifact.to_bytes()
    metrics.update(
        embedding_weight=embedding_weight,
        tfidf_weight=tfidf_weight,
        fit_seconds=round(time.perf_counter() - started, 2),
    )
    _report(request, 1.0, "done")
    return data, metrics


def _features(request: FitRequest) -> _Features:
    embeddings = None
    if request.use_embeddings:
        encoder = shared_encoder(
            Path(request.model_path) if request.model_path else None,
            Path(request.tokenizer_path) if request.tokenizer_path else None,
            request.threads,
            request.encoder,
        )
        _report(request, 0.05, "embedding")
        embeddings = encoder.encode(
            request.texts, progress=lambda done: _report(request, 0.05 + 0.65 * done, "embedding")
        )
    tfidf = text_features = None
    if request.use_tfidf:
        _report(request, 0.71, "counting words")
        text_features = TextFeatures.fit(request.texts, max_terms=max_terms(len(set(request.labels))))
        tfidf = text_features.transform(request.texts)
    return _Features(embeddings, tfidf, text_features)


def max_terms(intents: int) -> int:
    """How many n-grams the TF-IDF features may keep for a model of `intents` intents."""
    return max(1, min(MAX_TERMS, MAX_TFIDF_WEIGHTS // max(1, intents)))


@dataclass(frozen=True, slots=True)
class _Heads:
    classes: NDArray[Any]
    embedding: LinearHead | None
    tfidf: LinearHead | None


def _fit_heads(request: FitRequest, features: _Features, y: NDArray[Any]) -> _Heads:
    classes = np.unique(y)  # scikit-learn orders classes the same way
    embedding = tfidf = None
    with warnings.catch_warnings():
        # A capped number of iterations is a choice here (time), not a fault worth a warning in the logs.
        warnings.simplefilter("ignore", ConvergenceWarning)
        if features.embeddings is not None:
            embedding = _embedding_head(request, features.embeddings, y)
        if features.tfidf is not None:
            svm = LinearSVC(C=request.tfidf_c, max_iter=2000)
            svm.fit(features.tfidf, y)
            tfidf = _head(svm.coef_, svm.intercept_, symmetric=True)
    return _Heads(classes, embedding, tfidf)


def _embedding_head(request: FitRequest, embeddings: NDArray[np.float32], y: NDArray[Any]) -> LinearHead:
    """Logistic regression on the sentence vectors; on an encoder made of blocks, one per block, then averaged.

    Each block's regression is fitted on that block's vectors alone, as if its encoder were the only one; the
    scores are the mean of theirs over the blocks a message has (linear_artifact.embedding_scores: a sum would
    be sharper than either, and a threshold on the top probability would refuse less). The blocks before the
    last may be blank (MiniLM's, on Russian): they are fitted without an intercept, so the bias is the last's.
    """
    blocks = ENCODER_BLOCKS.get(request.encoder, (embeddings.shape[1],))
    weights, bias = [], np.zeros(0, dtype=np.float32)
    start = 0
    for number, width in enumerate(blocks):
        last = number == len(blocks) - 1
        regression = LogisticRegression(C=request.embedding_c, max_iter=500, fit_intercept=last)
        regression.fit(embeddings[:, start : start + width], y)
        intercept = np.broadcast_to(regression.intercept_, (regression.coef_.shape[0],))
        head = _head(regression.coef_, intercept, symmetric=False)
        weights.append(head.weights)
        if last:
            bias = head.bias
        start += width
    return LinearHead(np.hstack(weights).astype(np.float32), bias)


def _head(coef: NDArray[Any], intercept: NDArray[Any], symmetric: bool) -> LinearHead:
    """One row per class. With two classes scikit-learn keeps one row (for the second class): rebuild both."""
    weights = np.asarray(coef, dtype=np.float32)
    bias = np.asarray(intercept, dtype=np.float32)
    if weights.shape[0] == 1:
        first = -weights if symmetric else np.zeros_like(weights)
        weights = np.vstack([first, weights])
        bias = np.concatenate([-bias if symmetric else np.zeros_like(bias), bias])
    return LinearHead(weights, bias)


_Scores = tuple[Floats | None, Floats | None]


def _scores(heads: _Heads, features: _Features, request_encoder: str) -> _Scores:
    embedding_scores = tfidf_scores = None
    if heads.embedding is not None and features.embeddings is not None:
        blocks = ENCODER_BLOCKS.get(request_encoder, (features.embeddings.shape[1],))
        embedding_scores = embedding_scores_of(features.embeddings, heads.embedding, blocks)
    if heads.tfidf is not None and features.tfidf is not None:
        weights, bias = heads.tfidf.weights, heads.tfidf.bias
        tfidf_scores = np.asarray(features.tfidf @ weights.T + bias, dtype=np.float64)
    return embedding_scores, tfidf_scores


def _held_out_scores(request: FitRequest, features: _Features, y: NDArray[Any]) -> list[tuple[_Scores, NDArray[Any]]]:
    """Scores of examples by heads fitted without them (none when too few can be held out)."""
    folds = _held_out_folds(request.labels, np.random.default_rng(request.seed))
    if sum(len(held) for held in folds) < MIN_HELD_OUT:
        return []
    scored: list[tuple[_Scores, NDArray[Any]]] = []
    for number, held in enumerate(folds):
        _report(request, 0.72 + 0.16 * number / len(folds), "weighing")
        kept = np.setdiff1d(np.arange(len(y)), held)
        heads = _fit_heads(request, features.rows(kept), y[kept])
        scored.append((_scores(heads, features.rows(held), request.encoder), y[held]))
    return scored


def _best_temperature(classes: NDArray[Any], scored: list[tuple[_Scores, NDArray[Any]]]) -> tuple[float, float]:
    """(temperature, accuracy): the SVM-score multiplier with the lowest log-loss on held-out examples."""
    truth = np.concatenate([np.searchsorted(classes, y) for _, y in scored])
    tfidf = _stack([scores[1] for scores, _ in scored])
    assert tfidf is not None
    temperature = min(TEMPERATURES, key=lambda t: _log_loss(t * tfidf, truth))
    return temperature, round(float(np.mean(tfidf.argmax(axis=1) == truth)), 4)


def _best_share(classes: NDArray[Any], scored: list[tuple[_Scores, NDArray[Any]]]) -> tuple[float, float]:
    """(TF-IDF share, accuracy): the share that classifies the held-out examples best; ties, lowest log-loss."""
    truth = np.concatenate([np.searchsorted(classes, y) for _, y in scored])
    embedding = _stack([scores[0] for scores, _ in scored])
    tfidf = _stack([scores[1] for scores, _ in scored])
    assert embedding is not None and tfidf is not None
    best: tuple[float, float, float] | None = None
    for share in TFIDF_SHARES:
        logits = (1.0 - share) * embedding + share * DEFAULT_SVM_TEMPERATURE * tfidf
        accuracy = float(np.mean(logits.argmax(axis=1) == truth))
        key = (-accuracy, _log_loss(logits, truth), share)
        if best is None or key < best:
            best = key
    assert best is not None
    return best[2], round(-best[0], 4)


def _stack(parts: list[Floats | None]) -> Floats | None:
    present = [part for part in parts if part is not None]
    return np.vstack(present) if present and len(present) == len(parts) else None


def _log_loss(logits: Floats, truth: NDArray[np.intp]) -> float:
    top = logits.max(axis=1, keepdims=True)
    log_sum = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
    return float(np.mean(log_sum - logits[np.arange(len(truth)), truth]))


def _held_out_folds(labels: Sequence[str], rng: np.random.Generator) -> list[NDArray[np.intp]]:
    """Held-out index sets. Only labels with enough examples give any, so that every fit sees every label."""
    positions: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        positions.setdefault(label, []).append(index)
    if len(labels) > CROSS_VALIDATION_UP_TO:
        held: list[int] = []
        for label in sorted(positions):
            if len(positions[label]) >= 3:
                take = max(1, round(len(positions[label]) * HOLDOUT_SHARE))
                held.extend(int(i) for i in rng.choice(positions[label], size=take, replace=False))
        return [np.array(sorted(held), dtype=np.intp)]
    folds: list[list[int]] = [[] for _ in range(FOLDS)]
    start = 0
    for label in sorted(positions):
        if len(positions[label]) < 2:
            continue  # held out, it would be missing from its fit
        # Dealt round the folds, so that a fold holds at most a fifth (rounded up) of a label's examples.
        for rank, index in enumerate(rng.permutation(positions[label])):
            folds[(start + rank) % FOLDS].append(int(index))
        start += len(positions[label])
    return [np.array(sorted(fold), dtype=np.intp) for fold in folds if fold]
