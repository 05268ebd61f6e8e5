"""The `tfidf` backend: word 1-2-grams and character 2-5-grams, linear SVM; scikit-learn only, no model file."""

from typing import Unpack

from adapters.model.local_backend import FittingOptions, LocalBackend


class TfidfBackend(LocalBackend):
    """Implements application.ports.model.ModelBackend.

    Probabilities are a softmax over the SVM's scores at the temperature fitted on held-out examples; the
    default `threshold` was chosen on the out-of-scope figures of bench/model.py. `c`: the SVM's inverse
    regularisation. `options`: where and how it fits, as for LocalBackend.
    """

    name = "tfidf"

    def __init__(self, threshold: float = 0.5, c: float = 0.3, **options: Unpack[FittingOptions]) -> None:
        super().__init__(use_embeddings=False, use_tfidf=True, threshold=threshold, tfidf_c=c, **options)
