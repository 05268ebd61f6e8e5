"""The `hybrid` backend: the embedded model's scores plus the TF-IDF model's, weighted on held-out data.

Sentence embeddings know paraphrases; character n-grams know names, codes and typos. Adding the two linear
models' scores (late fusion) costs a TF-IDF fit on top of the embedded backend and gains 1-1.5 points of
accuracy on the benchmarks (bench/model.py); the weight is chosen on a held-out fifth of the training data,
so where TF-IDF does not help it gets a weight of 0.
"""

from typing import Unpack

from adapters.model.local_backend import EncoderOptions, LocalBackend


class HybridBackend(LocalBackend):
    """Implements application.ports.model.ModelBackend. Arguments as for EmbeddedBackend and TfidfBackend."""

    name = "hybrid"

    def __init__(
        self,
        threshold: float = 0.4,
        embedding_c: float = 10.0,
        tfidf_c: float = 0.3,
        **options: Unpack[EncoderOptions],
    ) -> None:
        super().__init__(
            use_embeddings=True,
            use_tfidf=True,
            threshold=threshold,
            embedding_c=embedding_c,
            tfidf_c=tfidf_c,
            **options,
        )
