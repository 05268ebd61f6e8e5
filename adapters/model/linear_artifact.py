"""A trained local model as bytes: linear heads over embeddings and/or TF-IDF, their weights, answers.

Stored as a compressed `.npz` (JSON metadata plus numeric arrays, loaded with allow_pickle=False), so a
model file can never run code when it is loaded.
"""

import io
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from adapters.model.text_features import TextFeatures

FORMAT = 1
Matrix = NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class LinearHead:
    """scores = features @ weights.T + bias; one row per label."""

    weights: Matrix
    bias: Matrix


def embedding_scores(vectors: Matrix, head: LinearHead, blocks: tuple[int, ...]) -> NDArray[np.float64]:
    """vectors @ weights.T + bias, where the vectors (and weights) are made of `blocks`, each scored apart.

    The blocks' scores are averaged over those that count for that vector: a block counts where the vector's
    block is not blank (MiniLM's, on Russian) and the head learnt something from it (a model trained on Russian
    alone has nothing from MiniLM). So each row is scored as sure of itself whichever blocks it has.
    """
    total = np.zeros((len(vectors), len(head.bias)), dtype=np.float64)
    counted = np.zeros((len(vectors), 1), dtype=np.float64)
    start = 0
    for width in blocks:
        weights = head.weights[:, start : start + width]
        if np.any(weights):
            part = vectors[:, start : start + width]
            total += np.asarray(part @ weights.T, dtype=np.float64)
            counted[:, 0] += np.any(part, axis=1)
        start += width
    scores: NDArray[np.float64] = total / np.clip(counted, 1, None) + head.bias
    return scores


@dataclass(frozen=True, slots=True)
class LinearArtifact:
    """logits = embedding_weight * embedding scores + tfidf_weight * tfidf scores; probabilities = softmax."""

    backend: str
    labels: tuple[str, ...]
    answers: dict[str, str]
    embedding_weight: float
    tfidf_weight: float
    embedding: LinearHead | None
    tfidf: LinearHead | None
    features: TextFeatures | None
    # The sentence encoder the embedding head was fitted on ("" without one): answering needs that same one.
    encoder: str = ""
    # Normalised training text -> its label: a message seen in training gets its own answer.
    memory: dict[str, str] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        meta: dict[str, Any] = {
            "format": FORMAT,
            "backend": self.backend,
            "labels": list(self.labels),
            "answers": self.answers,
            "embedding_weight": self.embedding_weight,
            "tfidf_weight": self.tfidf_weight,
            "memory": self.memory,
            "encoder": self.encoder,
        }
        arrays: dict[str, NDArray[Any]] = {}
        for name, head in (("embedding", self.embedding), ("tfidf", self.tfidf)):
            if head is not None:
                arrays[f"{name}_weights"] = head.weights.astype(np.float32)
                arrays[f"{name}_bias"] = head.bias.astype(np.float32)
        if self.features is not None:
            meta["features"], feature_arrays = self.features.state()
            arrays.update(feature_arrays)
        arrays["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]  # numpy's stub wants positional arrays too
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "LinearArtifact":
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        meta = json.loads(arrays.pop("meta").tobytes().decode())
        if meta.get("format") != FORMAT:
            raise ValueError(f"unknown model format {meta.get('format')!r}")
        features = TextFeatures.from_state(meta["features"], arrays) if "features" in meta else None
        return cls(
            backend=str(meta["backend"]),
            labels=tuple(meta["labels"]),
            answers=dict(meta["answers"]),
            embedding_weight=float(meta["embedding_weight"]),
            tfidf_weight=float(meta["tfidf_weight"]),
            embedding=_head(arrays, "embedding"),
            tfidf=_head(arrays, "tfidf"),
            features=features,
            # Models saved before encoders could be chosen were all fitted on MiniLM.
            encoder=str(meta.get("encoder", "minilm" if "embedding_weights" in arrays else "")),
            memory=dict(meta["memory"]),
        )


def _head(arrays: dict[str, NDArray[Any]], name: str) -> LinearHead | None:
    if f"{name}_weights" not in arrays:
        return None
    # Column-major, so that `weights.T` (what features are multiplied by) is contiguous: a sparse row times a
    # non-contiguous matrix would copy the whole matrix for every message.
    weights = np.asfortranarray(arrays[f"{name}_weights"], dtype=np.float32)
    return LinearHead(weights, arrays[f"{name}_bias"].astype(np.float32))
