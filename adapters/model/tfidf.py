"""The `tfidf` backend: word 1-2-grams and character 2-5-grams, linear SVM; scikit-learn only, no model file."""

from concurrent.futures import Executor

from adapters.model.local_backend import DEFAULT_MAX_INTENTS, LocalBackend


class TfidfBackend(LocalBackend):
    """Implements application.ports.model.ModelBackend.

    Probabilities are a softmax over the SVM's scores at the temperature fitted on held-out examples; the
    default `threshold` was chosen on the out-of-scope figures of bench/model.py. `c`: the SVM's inverse
    regularisation.
    """

    name = "tfidf"

    def __init__(
        self,
        threshold: float = 0.5,
        c: float = 0.3,
        pool: Executor | None = None,
        workers: int = 1,
        max_tasks_per_child: int | None = 1,
        max_intents: int = DEFAULT_MAX_INTENTS,
    ) -> None:
        super().__init__(
            use_embeddings=False,
            use_tfidf=True,
            threshold=threshold,
            tfidf_c=c,
            pool=pool,
            workers=workers,
            max_tasks_per_child=max_tasks_per_child,
            max_intents=max_intents,
        )
