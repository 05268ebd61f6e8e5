import pytest

from domain.evaluation import MAX_MATRIX_LABELS, balanced_threshold, evaluate_predictions, split_folds
from domain.training import OUT_OF_SCOPE, Dataset, Example


def test_accuracy_and_macro_f1() -> None:
    truths = ["a", "a", "b", "b"]
    report = evaluate_predictions(truths, ["a", "b", "b", "b"], [1.0] * 4, "test")
    assert report.accuracy == 0.75
    # a: precision 1, recall 1/2 -> F1 2/3; b: precision 2/3, recall 1 -> F1 4/5
    assert report.macro_f1 == pytest.approx((2 / 3 + 4 / 5) / 2)
    assert report.example_count == 4
    assert [name for name, _ in report.worst_intents] == ["a", "b"]
    assert [score for _, score in report.worst_intents] == pytest.approx([2 / 3, 0.8])
    assert report.confused_pairs == (("a", "b", 1),)
    assert report.labels == ("a", "b")
    assert report.confusion == ((1, 1), (0, 2))
    assert report.oos_precision is None and report.balanced_threshold is None


def test_a_threshold_turns_unsure_predictions_into_out_of_scope() -> None:
    truths = ["a", "b", OUT_OF_SCOPE, OUT_OF_SCOPE]
    predicted = ["a", "b", "a", OUT_OF_SCOPE]
    confidences = [0.9, 0.3, 0.2, 0.9]
    report = evaluate_predictions(truths, predicted, confidences, "test", threshold=0.5)
    # b is refused (wrong), the first oos is refused (right), the second is predicted oos (right).
    assert report.accuracy == 0.75
    assert report.oos_precision == pytest.approx(2 / 3)
    assert report.oos_recall == 1.0
    # Between 0.2 (out of scope, refused) and 0.3 (in scope): precision and recall are both 1 there.
    assert report.balanced_threshold == pytest.approx(0.25)


def test_balanced_threshold_separates_out_of_scope_from_in_scope_confidences() -> None:
    truths = ["a", "a", "a", OUT_OF_SCOPE, OUT_OF_SCOPE]
    predicted = ["a", "a", "a", "a", "a"]
    confidences = [0.9, 0.8, 0.7, 0.3, 0.2]
    assert balanced_threshold(truths, predicted, confidences) == pytest.approx(0.5)
    assert balanced_threshold(["a"], ["a"], [0.5]) is None


def test_confusion_matrix_is_cropped_to_the_labels_that_matter() -> None:
    truths = [f"intent{i}" for i in range(40) for _ in range(3)]
    predicted = list(truths)
    predicted[0] = "intent1"  # intent0 -> intent1 twice, intent5 -> intent7 once
    predicted[1] = "intent1"
    predicted[15] = "intent7"
    report = evaluate_predictions(truths, predicted, [1.0] * len(truths), "test")
    assert report.confused_pairs == (("intent0", "intent1", 2), ("intent5", "intent7", 1))
    assert {"intent0", "intent1", "intent5", "intent7"} <= set(report.labels)
    assert len(report.labels) <= MAX_MATRIX_LABELS
    index = {label: i for i, label in enumerate(report.labels)}
    assert report.confusion[index["intent0"]][index["intent1"]] == 2
    assert len(report.confusion) == len(report.labels)


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="same length"):
        evaluate_predictions(["a"], [], [], "test")


def test_empty_input_gives_an_empty_report() -> None:
    report = evaluate_predictions([], [], [], "test")
    assert report.accuracy == 0.0 and report.labels == () and report.confusion == ()


def test_folds_are_stratified_and_cover_every_example_once() -> None:
    examples = (*(Example(f"{intent} {i}", intent) for intent in "abc" for i in range(7)), Example("odd", "d"))
    dataset = Dataset("d", examples, {"a": "A"})
    splits = split_folds(dataset, 3, seed=1)
    assert len(splits) == 3
    held = [e for _, test in splits for e in test.examples]
    assert sorted(e.text for e in held) == sorted(e.text for e in examples)
    for train, test in splits:
        assert set(train.examples).isdisjoint(test.examples)
        assert train.answers == {"a": "A"}
        counts = test.counts()
        assert all(2 <= counts[i] <= 3 for i in "abc")
    assert split_folds(dataset, 3, seed=1) == splits
    with pytest.raises(ValueError):
        split_folds(dataset, 1)


def test_a_report_counts_every_intent_and_explains_oos_where_it_names_it() -> None:
    truths = [f"intent_{i}" for i in range(77) for _ in range(2)] + [OUT_OF_SCOPE] * 4
    predicted = [truths[i + 1] if i % 5 == 0 else label for i, label in enumerate(truths[:-4])] + ["intent_3"] * 4
    report = evaluate_predictions(truths, predicted, [0.9] * len(truths), "test data")
    assert report.intent_count == 78 and len(report.labels) < 78  # the matrix is a selection of them
    assert "oos = out of scope: questions the model should not answer." in report.summary()
    plain = evaluate_predictions(["a", "b"], ["a", "a"], [0.9, 0.9], "test data")
    assert plain.intent_count == 2 and "oos" not in plain.summary()
