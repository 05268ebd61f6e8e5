import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from adapters.model.text_features import TextFeatures

TEXTS = [
    "When do you open on Sunday?",
    "what are your opening hours",
    "Can I pay by card, or only cash?",
    "café au lait, s'il vous plaît",
    "Wifi password please!!",
    "",
]


def test_the_vectors_are_those_of_scikit_learn() -> None:
    features = TextFeatures.fit(TEXTS)
    word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(TEXTS)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True).fit(TEXTS)
    queries = [*TEXTS, "do you OPEN on sundays", "completely unrelated words", "   "]
    expected = sp.hstack([word.transform(queries), char.transform(queries)]).toarray()
    assert features.size == expected.shape[1]
    np.testing.assert_allclose(features.transform(queries).toarray(), expected, atol=1e-6)


def test_features_survive_their_saved_state() -> None:
    features = TextFeatures.fit(TEXTS)
    meta, arrays = features.state()
    again = TextFeatures.from_state(meta, arrays)
    assert (again.transform(TEXTS) != features.transform(TEXTS)).nnz == 0
    assert again.transform([]).shape == (0, features.size)
