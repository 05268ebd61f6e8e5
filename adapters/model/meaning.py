"""MeaningSimilarity over the model's sentence encoder (`model.encoder`): the one the backends embed text with.

The encoder is the process's shared one (adapters.model.encoder.shared_encoder, loaded on first use, about a
second), so grouping messages costs no second copy of it. Vectors are remembered per text: the review inbox asks
about the same messages on every view, and a message is embedded once.
"""

import asyncio
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from adapters.model.encoder import DEFAULT_ENCODER, ENCODERS, Embeddings, shared_encoder

# Cosine similarity from which two chat messages ask the same thing, per encoder. MiniLM spreads unrelated
# messages around 0.0-0.3 and rewordings of one question above 0.7; e5 puts nearly everything between 0.75 and
# 0.85, and rewordings above 0.9 (measured on inbox-like questions: "what's the weather today?" and "what is the
# weather tomorrow" are 0.77 and 0.92; "where do you live" beside them 0.30 and 0.86). USE spreads as MiniLM does
# (0.85 for that rewording, 0.37 for "where do you live", 0.67 for two ways of asking for a forgotten password).
SAME_MEANING = {"minilm": 0.65, "e5": 0.9, "use": 0.65}
# The pair's MiniLM half is blank on Russian, which would part a question from its translation: its USE half
# alone groups them (0.83 for "what's the weather today?" and "какая сегодня погода").
MEANING_ENCODER = {"minilm+use": "use"}
# The backends that embed text with the encoder; the others have none to offer.
ENCODING_BACKENDS = ("embedded", "hybrid")


class EncoderSimilarity:
    """Implements application.ports.model.MeaningSimilarity."""

    def __init__(self, encoder: str = DEFAULT_ENCODER, threads: int = 2, remember: int = 5000) -> None:
        if encoder not in ENCODERS:
            raise ValueError(f"unknown sentence encoder {encoder!r}; choose among {', '.join(ENCODERS)}")
        self._encoder = MEANING_ENCODER.get(encoder, encoder)
        self._threads = threads
        self._remember = remember
        self._known: OrderedDict[str, Embeddings] = OrderedDict()
        self.same_meaning = SAME_MEANING[self._encoder]

    async def pairwise(self, texts: Sequence[str]) -> Sequence[Sequence[float]]:
        if not texts:
            return []
        vectors = await self._vectors(texts)
        scores: list[list[float]] = (vectors @ vectors.T).tolist()  # unit vectors: the dot product is the cosine
        return scores

    async def _vectors(self, texts: Sequence[str]) -> Embeddings:
        missing = [text for text in dict.fromkeys(texts) if text not in self._known]
        found = {text: self._known[text] for text in texts if text in self._known}
        if missing:
            encoder = await asyncio.to_thread(shared_encoder, None, None, self._threads, self._encoder)
            fresh = await asyncio.to_thread(encoder.encode, missing)
            for text, vector in zip(missing, fresh, strict=True):
                found[text] = vector
                self._known[text] = vector
        for text in texts:
            self._known.move_to_end(text)
        while len(self._known) > self._remember:
            self._known.popitem(last=False)
        return np.stack([found[text] for text in texts]).astype(np.float32)


def meaning_similarity(backend: str, encoder: str) -> EncoderSimilarity | None:
    """The model's encoder as a MeaningSimilarity, or None where the configured backend embeds nothing."""
    return EncoderSimilarity(encoder) if backend in ENCODING_BACKENDS else None
