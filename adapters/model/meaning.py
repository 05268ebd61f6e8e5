"""MeaningSimilarity over the model's sentence encoder (`model.encoder`): the one the backends embed text with.

The encoder is the process's shared one (adapters.model.encoder.shared_encoder, loaded on first use, about a
second), so grouping messages costs no second copy of it. Vectors are remembered per text: the review inbox asks
about the same messages on every view, and a message is embedded once.
"""

import asyncio
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
from threadpoolctl import threadpool_limits

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
        """The similarity of every text to every other, in order (1.0 with itself): for a few texts only."""
        if not texts:
            return []
        vectors = await self._vectors(texts)
        scores: list[list[float]] = (vectors @ vectors.T).tolist()  # unit vectors: the dot product is the cosine
        return scores

    async def leads(self, texts: Sequence[str]) -> Sequence[int]:
        if not texts:
            return []
        vectors = await self._vectors(texts)
        return await asyncio.to_thread(_one_thread, vectors, self.same_meaning)

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


def _one_thread(vectors: Embeddings, line: float) -> list[int]:
    # The products are many and mid-sized: a second BLAS thread halves little on an idle machine, and its
    # spinning makes them several times slower on a busy one (0.16 s against 0.54 s at 5,000, load 7 on 2 cores).
    # The limit is the process's while it lasts, so a concurrent product elsewhere runs on one thread meanwhile.
    with threadpool_limits(limits=1, user_api="blas"):
        return greedy_leads(vectors, line)


def greedy_leads(vectors: Embeddings, line: float, block: int = 512) -> list[int]:
    """For each vector, in order, the first earlier lead whose dot product with it is at least `line`, or itself.

    The rule compares a vector with the leads before it only, so what is needed is a triangle of the leads'
    scores, never the whole matrix: a block of vectors at a time is scored against the leads opened before it
    (one matrix product). A row alike with one of them follows the first; the others, in order, follow the
    first of the block's new leads above them that they are alike with, or open one: only those are walked.
    """
    result = np.arange(len(vectors))
    leads = np.zeros((0,), dtype=np.intp)  # in order of opening: the first alike one is the first True of a row
    for start in range(0, len(vectors), block):
        rows = vectors[start : start + block]
        earlier = rows @ vectors[leads].T >= line
        found = earlier.any(axis=1)
        if found.any():
            result[start : start + len(rows)][found] = leads[earlier[found].argmax(axis=1)]
        rest = np.flatnonzero(~found)
        within = rows[rest] @ rows[rest].T >= line
        opened = np.zeros(len(rest), dtype=bool)
        for offset in range(len(rest)):
            mine = within[offset, :offset] & opened[:offset]
            if mine.any():
                result[start + rest[offset]] = start + rest[int(mine.argmax())]
            else:
                opened[offset] = True
        leads = np.concatenate([leads, start + rest[opened]])
    return [int(lead) for lead in result]


def meaning_similarity(backend: str, encoder: str) -> EncoderSimilarity | None:
    """The model's encoder as a MeaningSimilarity, or None where the configured backend embeds nothing."""
    return EncoderSimilarity(encoder) if backend in ENCODING_BACKENDS else None
