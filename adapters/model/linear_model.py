"""A loaded local model answering messages: implements application.ports.model.IntentModel."""

import asyncio
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from adapters.model.encoder import ENCODER_BLOCKS, SentenceEncoder
from adapters.model.linear_artifact import LinearArtifact, embedding_scores
from domain.dataset_rules import normalise_text
from domain.training import OUT_OF_SCOPE, Prediction

ALTERNATIVES = 3
# With few intents, even an unrelated message gets a large share of the probability (a third with three
# intents), so the bar rises to this many times chance; with dozens of intents the configured threshold rules.
TIMES_CHANCE = 2.0
MAX_RAISED_THRESHOLD = 0.7


class LinearIntentModel:
    def __init__(self, artifact: LinearArtifact, threshold: float, encoder: SentenceEncoder | None) -> None:
        if artifact.embedding is not None and encoder is None:
            raise ValueError("this model needs the sentence encoder")
        self._artifact = artifact
        in_scope = [label for label in artifact.labels if label != OUT_OF_SCOPE]
        chance = 1.0 / max(1, len(in_scope))
        self._threshold = max(threshold, min(MAX_RAISED_THRESHOLD, TIMES_CHANCE * chance))
        self._encoder = encoder

    @property
    def threshold(self) -> float:
        return self._threshold

    async def predict(self, text: str) -> Prediction:
        return (await self.predict_many([text]))[0]

    async def predict_many(self, texts: Sequence[str]) -> Sequence[Prediction]:
        if not texts:
            return []
        # Embedding takes a few milliseconds a message: never on the event loop.
        return await asyncio.to_thread(self.predict_blocking, list(texts))

    def predict_blocking(self, texts: Sequence[str]) -> list[Prediction]:
        probabilities = self.probabilities(texts)
        return [self._prediction(text, row) for text, row in zip(texts, probabilities, strict=True)]

    def probabilities(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """One row per text, one column per label (in `labels` order)."""
        artifact = self._artifact
        logits = np.zeros((len(texts), len(artifact.labels)), dtype=np.float64)
        if artifact.embedding is not None and self._encoder is not None:
            vectors = self._encoder.encode(texts)
            blocks = ENCODER_BLOCKS.get(artifact.encoder, (vectors.shape[1],))
            logits += artifact.embedding_weight * embedding_scores(vectors, artifact.embedding, blocks)
        if artifact.tfidf is not None and artifact.features is not None:
            features = artifact.features.transform(texts)
            logits += artifact.tfidf_weight * (features @ artifact.tfidf.weights.T + artifact.tfidf.bias)
        return softmax(logits)

    def _prediction(self, text: str, row: NDArray[np.float64]) -> Prediction:
        labels = self._artifact.labels
        ranked = np.argsort(-row)[:ALTERNATIVES]
        alternatives = tuple((labels[i], round(float(row[i]), 4)) for i in ranked)
        remembered = self._artifact.memory.get(normalise_text(text))
        if remembered is not None:
            intent, confidence = remembered, 1.0
            alternatives = ((remembered, 1.0), *((label, p) for label, p in alternatives if label != remembered))[
                :ALTERNATIVES
            ]
        else:
            intent, confidence = labels[int(ranked[0])], float(row[ranked[0]])
        return Prediction(
            intent=intent,
            confidence=confidence,
            answer=self._artifact.answers.get(intent),
            confident=confidence >= self._threshold and intent != OUT_OF_SCOPE,
            alternatives=alternatives,
        )


def softmax(logits: NDArray[np.float64]) -> NDArray[np.float64]:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    result: NDArray[np.float64] = exp / exp.sum(axis=1, keepdims=True)
    return result
