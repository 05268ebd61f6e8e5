"""TF-IDF features: word 1-2-grams and character 2-5-grams, saved as plain arrays (never pickled).

scikit-learn learns the vocabularies and inverse document frequencies and splits texts into n-grams; the
vectors themselves are built here (the same values as TfidfVectorizer with sublinear_tf: (1 + log count)
x idf, then unit length per block), because scikit-learn's per-call checks cost about a millisecond a
message, a fifth of the time budget of an answer.
"""

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer

# With a thousand examples or more, character n-grams seen once are mostly noise (and memory).
_CHAR_MIN_DF_FROM = 1_000
_SETTINGS: dict[str, dict[str, Any]] = {
    "word": {"ngram_range": (1, 2)},
    "char": {"analyzer": "char_wb", "ngram_range": (2, 5)},
}


class _Block:
    """One kind of n-gram: its vocabulary, idf weights and analyser."""

    def __init__(self, kind: str, terms: Sequence[str], idf: NDArray[np.float32]) -> None:
        self.kind = kind
        self.terms = list(terms)
        self.idf = idf.astype(np.float32)
        self._index = {term: i for i, term in enumerate(self.terms)}
        self._analyse: Callable[[str], list[str]] = TfidfVectorizer(**_SETTINGS[kind]).build_analyzer()

    def row(self, text: str) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
        counts: Counter[int] = Counter()
        for term in self._analyse(text):
            position = self._index.get(term)
            if position is not None:
                counts[position] += 1
        if not counts:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        positions = np.fromiter(sorted(counts), dtype=np.int32, count=len(counts))
        tf = np.log(np.array([counts[p] for p in positions], dtype=np.float32)) + np.float32(1)
        values: NDArray[np.float32] = tf * self.idf[positions]
        values /= np.sqrt(np.dot(values, values))
        return positions, values


class TextFeatures:
    def __init__(self, word: _Block, char: _Block) -> None:
        self._blocks = (word, char)

    @classmethod
    def fit(cls, texts: Sequence[str]) -> "TextFeatures":
        blocks = []
        for kind in ("word", "char"):
            min_df = 2 if kind == "char" and len(texts) >= _CHAR_MIN_DF_FROM else 1
            vectorizer = TfidfVectorizer(**_SETTINGS[kind], sublinear_tf=True, min_df=min_df, dtype=np.float32)
            vectorizer.fit(texts)
            terms = [""] * len(vectorizer.vocabulary_)
            for term, index in vectorizer.vocabulary_.items():
                terms[index] = term
            blocks.append(_Block(kind, terms, vectorizer.idf_))
        return cls(*blocks)

    @property
    def size(self) -> int:
        return sum(len(block.terms) for block in self._blocks)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        indptr = [0]
        indices: list[NDArray[np.int32]] = [np.zeros(0, dtype=np.int32)]
        data: list[NDArray[np.float32]] = [np.zeros(0, dtype=np.float32)]
        for text in texts:
            offset = filled = 0
            for block in self._blocks:
                positions, values = block.row(text)
                indices.append(positions + offset)
                data.append(values)
                offset += len(block.terms)
                filled += len(positions)
            indptr.append(indptr[-1] + filled)
        return sp.csr_matrix((np.concatenate(data), np.concatenate(indices), indptr), shape=(len(texts), self.size))

    def state(self) -> tuple[dict[str, Any], dict[str, NDArray[np.float32]]]:
        """(JSON-able vocabularies, arrays of inverse document frequencies) for an artifact."""
        meta = {block.kind: block.terms for block in self._blocks}
        arrays = {f"{block.kind}_idf": block.idf for block in self._blocks}
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, NDArray[np.float32]]) -> "TextFeatures":
        return cls(*(_Block(kind, meta[kind], arrays[f"{kind}_idf"]) for kind in ("word", "char")))
