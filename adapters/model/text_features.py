"""TF-IDF features: word 1-2-grams and character 2-5-grams, saved as plain arrays (never pickled).

scikit-learn splits texts into n-grams; the vocabularies, document frequencies and vectors are made here
(the same values as TfidfVectorizer with sublinear_tf: (1 + log count) x idf, then unit length per block),
because scikit-learn's per-call checks cost about a millisecond a message, a fifth of the time budget of an
answer, and because its vocabulary holds every distinct n-gram of the training set at once: gigabytes for
a few megabytes of made-up words. Here counting keeps at most _MAX_COUNTED n-grams, dropping the rarest
when it fills up, which happens only far beyond the benchmarks (SNIPS, the largest, counts 111,000).
"""

import heapq
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer

# With a thousand examples or more, character n-grams seen once are mostly noise (and memory).
_CHAR_MIN_DF_FROM = 1_000
_MAX_COUNTED = 1_000_000
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
    def fit(cls, texts: Sequence[str], max_terms: int | None = None) -> "TextFeatures":
        """`max_terms`: at most this many n-grams in all (those in most texts), split evenly between the blocks."""
        blocks = []
        for kind in ("word", "char"):
            min_df = 2 if kind == "char" and len(texts) >= _CHAR_MIN_DF_FROM else 1
            limit = None if max_terms is None else max(1, max_terms // 2)
            blocks.append(_fit_block(kind, texts, min_df, limit))
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


def _fit_block(kind: str, texts: Sequence[str], min_df: int, max_terms: int | None) -> _Block:
    """Terms in at least `min_df` texts (at most `max_terms`, those in most texts), in alphabetical order."""
    analyse: Callable[[str], list[str]] = TfidfVectorizer(**_SETTINGS[kind]).build_analyzer()
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(analyse(text)))
        if len(counts) > _MAX_COUNTED:
            counts = _drop_rarest(counts)
    kept = [term for term, count in counts.items() if count >= min_df]
    if max_terms is not None and len(kept) > max_terms:
        kept = heapq.nlargest(max_terms, kept, key=lambda term: (counts[term], term))
    terms = sorted(kept)
    # As scikit-learn's smooth idf, in float32 like its: log((1 + texts) / (1 + texts with the term)) + 1.
    document_frequency = np.array([counts[term] for term in terms], dtype=np.float32) + np.float32(1)
    idf = np.full_like(document_frequency, fill_value=len(texts) + 1, dtype=np.float32)
    idf /= document_frequency
    np.log(idf, out=idf)
    idf += np.float32(1)
    return _Block(kind, terms, idf)


def _drop_rarest(counts: Counter[str]) -> Counter[str]:
    """Counts of the n-grams above the lowest count(s) seen, down to half of _MAX_COUNTED."""
    floor = 1
    while len(counts) > _MAX_COUNTED // 2:
        counts = Counter({term: count for term, count in counts.items() if count > floor})
        floor += 1
    return counts
