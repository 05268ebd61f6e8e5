"""The local backends for real: fitting in a spawned worker process, answering, refusing, corrections."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from adapters.model.embedded import EmbeddedBackend
from adapters.model.hybrid import HybridBackend
from adapters.model.local_backend import LocalBackend
from adapters.model.tfidf import TfidfBackend
from application.ports.model import IntentModel, ModelBackend, TrainedArtifact
from domain.dataset_rules import merge_corrections
from domain.errors import BackendUnavailable, InvalidDataset
from domain.training import Dataset, Example
from support.shared_data import shared_data
from tests.integration.model.cafe import ANSWERS, CAFE, IN_SCOPE, OUT_OF_SCOPE_MESSAGES

KINDS = [
    pytest.param(TfidfBackend, id="tfidf"),
    pytest.param(EmbeddedBackend, id="embedded", marks=pytest.mark.slow),
    pytest.param(HybridBackend, id="hybrid", marks=pytest.mark.slow),
]


@pytest.fixture(scope="module")
def backends() -> Iterator[dict[type[LocalBackend], LocalBackend]]:
    """One backend of each kind for the module; their worker processes stay alive between fits."""
    made: dict[type[LocalBackend], LocalBackend] = {}
    yield made
    for backend in made.values():
        backend.close()


def get(backends: dict[type[LocalBackend], LocalBackend], kind: type[LocalBackend]) -> LocalBackend:
    if kind not in backends:
        backends[kind] = kind(max_tasks_per_child=None)  # type: ignore[call-arg]
    return backends[kind]


class Progress:
    def __init__(self) -> None:
        self.seen: list[tuple[float, str]] = []

    def __call__(self, fraction: float, stage: str) -> None:
        self.seen.append((fraction, stage))


@pytest.mark.parametrize("kind", KINDS)
async def test_it_answers_in_scope_messages_and_refuses_the_others(
    backends: dict[type[LocalBackend], LocalBackend], kind: type[LocalBackend]
) -> None:
    backend = get(backends, kind)
    assert isinstance(backend, ModelBackend)
    progress = Progress()
    artifact = await backend.train(CAFE, progress)
    assert artifact.backend == kind.name and artifact.metrics["examples"] == len(CAFE.examples)
    fractions = [fraction for fraction, _ in progress.seen]
    assert progress.seen[0] == (0.0, "starting") and progress.seen[-1] == (1.0, "done")
    assert fractions == sorted(fractions) and len(progress.seen) > 3  # stages came from the worker too

    model = await backend.load(artifact)
    assert isinstance(model, IntentModel)
    for text, intent in IN_SCOPE:
        prediction = await model.predict(text)
        assert (prediction.intent, prediction.confident) == (intent, True), text
        assert prediction.answer == ANSWERS[intent]
        assert prediction.alternatives[0][0] == intent
        assert prediction.alternatives[0][1] == pytest.approx(prediction.confidence, abs=1e-4)
        assert len(prediction.alternatives) == 3
    for text in OUT_OF_SCOPE_MESSAGES:
        prediction = await model.predict(text)
        assert not prediction.confident, (text, prediction)

    texts = [text for text, _ in IN_SCOPE]
    many = await model.predict_many(texts)
    assert [p.intent for p in many] == [intent for _, intent in IN_SCOPE]
    assert await model.predict_many([]) == []


@pytest.mark.parametrize("kind", KINDS)
async def test_a_correction_is_answered_the_corrected_way_after_retraining(
    backends: dict[type[LocalBackend], LocalBackend], kind: type[LocalBackend]
) -> None:
    backend = get(backends, kind)
    before = await backend.load(await backend.train(CAFE, Progress()))
    assert (await before.predict("are you open on saturday")).intent == "hours"

    corrected = merge_corrections(
        CAFE,
        [
            ("Are you open on Saturday?", "On Saturdays we open at 10."),
            ("can I bring my dog", "Dogs are welcome on a leash."),
            ("is there a parking lot", ANSWERS["location"]),
        ],
    )
    after = await backend.load(await backend.train(corrected, Progress()))
    saturday = await after.predict("are you open on saturday?")
    assert (saturday.answer, saturday.confident) == ("On Saturdays we open at 10.", True)
    assert (await after.predict("Can I bring my dog")).answer == "Dogs are welcome on a leash."
    assert (await after.predict("is there a parking lot")).intent == "location"
    assert (await after.predict("what time do you close")).intent == "hours"


@pytest.mark.slow
async def test_the_hybrid_weighs_its_parts_on_held_out_examples(
    backends: dict[type[LocalBackend], LocalBackend],
) -> None:
    """A slice of BANKING77: enough examples for cross-validation, and real test messages."""
    import csv

    def read(split: str, per_intent: int) -> list[tuple[str, str]]:
        with shared_data("intents", "banking77", f"{split}.csv").open(encoding="utf-8", newline="") as file:
            rows = [(row["text"], row["category"]) for row in csv.DictReader(file)]
        intents = sorted({label for _, label in rows})[:8]
        return [pair for intent in intents for pair in [r for r in rows if r[1] == intent][:per_intent]]

    train = Dataset("banking77-slice", tuple(Example(text, label) for text, label in read("train", 25)))
    artifact = await get(backends, HybridBackend).train(train, Progress())
    assert artifact.metrics["held_out_examples"] == len(train.examples)
    assert artifact.metrics["embedding_weight"] + artifact.metrics["tfidf_weight"] / 3 == pytest.approx(1.0)
    model = await get(backends, HybridBackend).load(artifact)
    test = read("test", 10)
    predictions = await model.predict_many([text for text, _ in test])
    accuracy = sum(p.intent == label for p, (_, label) in zip(predictions, test, strict=True)) / len(test)
    assert accuracy >= 0.8


async def test_training_needs_two_intents_and_loading_checks_the_artifact(
    backends: dict[type[LocalBackend], LocalBackend],
) -> None:
    backend = get(backends, TfidfBackend)
    with pytest.raises(InvalidDataset, match="two intents"):
        await backend.train(Dataset("one", (Example("a", "x"), Example("b", "x"))), Progress())
    with pytest.raises(BackendUnavailable, match="could not be read"):
        await backend.load(TrainedArtifact("tfidf", b"not a model"))
    artifact = await backend.train(CAFE, Progress())
    with pytest.raises(BackendUnavailable, match="made by the `tfidf` backend"):
        await EmbeddedBackend().load(artifact)


async def test_a_given_executor_is_used_and_progress_is_reported_at_its_ends() -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        backend = TfidfBackend(pool=pool)
        progress = Progress()
        model = await backend.load(await backend.train(CAFE, progress))
        backend.close()  # the pool is the caller's: still usable
        assert pool.submit(lambda: 1).result() == 1
    assert progress.seen == [(0.0, "starting"), (1.0, "done")]
    assert (await model.predict("do you have wifi")).intent == "wifi"


def test_thresholds_are_probabilities() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        TfidfBackend(threshold=1.5)


async def test_with_few_intents_the_bar_rises_above_chance() -> None:
    three = Dataset(
        "small",
        tuple(
            Example(text, intent, answer)
            for intent, answer, texts in [
                ("hi", "Hi!", ("hello", "hi there", "good morning")),
                ("bye", "Bye!", ("bye", "goodbye", "see you later")),
                ("hours", "9 to 5.", ("when do you open", "opening hours", "what are your hours")),
            ]
            for text in texts
        ),
        {"hi": "Hi!", "bye": "Bye!", "hours": "9 to 5."},
    )
    with ThreadPoolExecutor(max_workers=1) as pool:
        backend = TfidfBackend(threshold=0.4, pool=pool)
        small = await backend.load(await backend.train(three, Progress()))
        many = await backend.load(await backend.train(CAFE, Progress()))
    assert small.threshold == pytest.approx(2 / 3)
    assert many.threshold == pytest.approx(0.4)
    assert (await small.predict("hello")).confident
