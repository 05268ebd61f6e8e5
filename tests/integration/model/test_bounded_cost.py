"""A dataset inside the limits cannot make a model of unbounded size: intents are capped, n-grams shrink."""

import random
from concurrent.futures import ThreadPoolExecutor

import pytest

from adapters.model import fitting
from adapters.model.linear_artifact import LinearArtifact
from adapters.model.tfidf import TfidfBackend
from domain.errors import InvalidDataset
from domain.training import Dataset, Example


def many_intents(intents: int, per_intent: int, seed: int = 0) -> Dataset:
    """Made-up words, different for every intent: as many n-grams as a small dataset can bring."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"

    def word() -> str:
        return "".join(rng.choice(letters) for _ in range(rng.randint(4, 9)))

    examples = [
        Example(" ".join(word() for _ in range(6)), f"intent_{i}") for i in range(intents) for _ in range(per_intent)
    ]
    return Dataset("many", tuple(examples))


async def test_more_intents_than_the_cap_are_refused_before_training_and_the_cap_is_named() -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        backend = TfidfBackend(pool=pool, max_intents=4)
        with pytest.raises(InvalidDataset, match=r"5 intents; the limit is 4 \(setting `model.max_intents`\)"):
            await backend.train(many_intents(5, 3), lambda fraction, stage: None)
        assert (await backend.train(many_intents(4, 3), lambda fraction, stage: None)).backend == "tfidf"


async def test_many_intents_make_a_model_no_larger_than_the_weight_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # The budget made small, so that the test is quick: 300 intents of made-up words bring 77,000 n-grams,
    # 23 million weights (a 77 MB model file) without it.
    budget = 150_000
    monkeypatch.setattr(fitting, "MAX_TFIDF_WEIGHTS", budget, raising=False)
    dataset = many_intents(300, 3)
    with ThreadPoolExecutor(max_workers=1) as pool:  # fitting in this process, where the budget is patched
        backend = TfidfBackend(pool=pool)
        artifact = await backend.train(dataset, lambda fraction, stage: None)
        model = await backend.load(artifact)
    # Weights (4 bytes each, compressed), plus the n-grams' names, the labels and the training texts.
    assert len(artifact.data) < 4 * budget + 200_000
    parsed = LinearArtifact.from_bytes(artifact.data)
    assert parsed.tfidf is not None and parsed.features is not None
    assert parsed.tfidf.weights.size <= budget
    text, intent = dataset.examples[7].text, dataset.examples[7].intent
    assert (await model.predict(text)).intent == intent
    assert (await model.predict(text + " extra")).intent == intent  # not from memory: from the weights


def test_the_default_budget_keeps_any_model_file_under_100_mb() -> None:
    for intents in (2, 77, 1_000, 5_000):
        assert intents * fitting.max_terms(intents) <= fitting.MAX_TFIDF_WEIGHTS
    assert 4 * fitting.MAX_TFIDF_WEIGHTS < 50_000_000
