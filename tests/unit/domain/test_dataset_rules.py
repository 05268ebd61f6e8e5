import pytest

from domain.dataset_rules import (
    ensure_valid,
    intent_name_for_answer,
    merge_corrections,
    normalise_text,
    problems_of,
    validate,
)
from domain.errors import InvalidDataset
from domain.training import OUT_OF_SCOPE, Dataset, Example


def make(*rows: tuple[str, str], answers: dict[str, str] | None = None) -> Dataset:
    examples = tuple(Example(text, intent, line=number) for number, (text, intent) in enumerate(rows, start=2))
    return Dataset("test.csv", examples, answers or {})


GOOD = make(("hi", "greet"), ("hello", "greet"), ("bye", "leave"), ("see you", "leave"))


def test_a_good_dataset_has_no_problems() -> None:
    assert validate(GOOD) == ()


def test_normalised_text_ignores_case_spacing_and_end_punctuation() -> None:
    assert normalise_text("  Hello   THERE?! ") == normalise_text("hello there") == "hello there"


def test_the_same_text_under_two_intents_is_reported_with_both_lines() -> None:
    dataset = make(("hi", "greet"), ("hello", "greet"), ("Hello!", "leave"), ("bye", "leave"))
    (problem,) = validate(dataset)
    assert problem.startswith("line 4:")
    assert "'greet' (line 3)" in problem


def test_intents_with_too_few_examples_are_reported_but_out_of_scope_needs_no_minimum() -> None:
    dataset = make(("hi", "greet"), ("hello", "greet"), ("bye", "leave"), ("weather?", OUT_OF_SCOPE))
    problems = validate(dataset, min_examples_per_intent=2)
    assert problems == ("intent 'leave' has 1 example (line 4); at least 2 are needed",)
    assert validate(dataset, min_examples_per_intent=1) == ()


def test_empty_text_empty_answer_and_long_text_are_reported_by_line() -> None:
    dataset = make(("hi", "greet"), ("  ", "greet"), ("x" * 30, "leave"), ("bye", "leave"), answers={"greet": " "})
    problems = validate(dataset, max_text_chars=20)
    assert "line 3: the message is empty" in problems
    assert "line 4: the message has 30 characters; the limit is 20" in problems
    assert "line 2: the answer of intent 'greet' is empty" in problems


def test_one_intent_is_not_enough() -> None:
    problems = validate(make(("hi", "greet"), ("hello", "greet")))
    assert problems == ("at least two intents are needed to train; found 1",)


def test_ensure_valid_refuses_with_every_problem() -> None:
    ensure_valid(GOOD)
    with pytest.raises(InvalidDataset) as caught:
        ensure_valid(make(("hi", "greet"), ("", "greet")))
    assert caught.value.problems == (
        "line 3: the message is empty",
        "at least two intents are needed to train; found 1",
    )
    assert "`test.csv` was not used for training" in caught.value.user_message


def test_examples_without_lines_are_named_by_position() -> None:
    dataset = Dataset("inline", (Example("", "a"), Example("x", "a"), Example("y", "b"), Example("z", "b")))
    assert validate(dataset) == ("example 1: the message is empty",)


def test_intent_names_come_from_the_answer_and_are_unique() -> None:
    assert intent_name_for_answer("We open at 9, every day!", set()) == "we_open_at_9"
    assert intent_name_for_answer("We open at 9 on Sundays", {"we_open_at_9"}) == "we_open_at_9_2"
    assert intent_name_for_answer("Мы открыты с девяти", set()) == "мы_открыты_с_девяти"
    assert intent_name_for_answer("?!", set()) == "answer"
    assert intent_name_for_answer("OOS", set()) == "oos_answer"


def test_a_correction_repeating_an_answer_joins_that_intent() -> None:
    dataset = make(("hi", "greet"), ("hello", "greet"), ("bye", "leave"), answers={"greet": "Hello!", "leave": "Bye!"})
    merged = merge_corrections(dataset, [("good morning", "hello!")])
    assert merged.examples[-1].text == "good morning"
    assert merged.examples[-1].intent == "greet"
    assert merged.answers == dataset.answers


def test_a_correction_naming_an_intent_joins_it() -> None:
    merged = merge_corrections(GOOD, [("ciao", "Leave")])
    assert merged.examples[-1].intent == "leave"


def test_a_correction_with_a_new_answer_forms_a_new_intent() -> None:
    merged = merge_corrections(
        GOOD, [("can I bring my dog?", "Dogs are welcome on a leash."), ("dogs ok?", "Dogs are welcome on a leash.")]
    )
    new = [e for e in merged.examples if e.intent == "dogs_are_welcome_on"]
    assert [e.text for e in new] == ["can I bring my dog?", "dogs ok?"]
    assert merged.answers["dogs_are_welcome_on"] == "Dogs are welcome on a leash."


def test_the_latest_correction_wins_over_older_ones_and_over_the_file() -> None:
    corrections = [("Hello", "leave"), ("bye", "greet"), ("hello!", "greet")]
    merged = merge_corrections(GOOD, corrections)
    by_text = {normalise_text(e.text): e.intent for e in merged.examples}
    assert by_text["hello"] == "greet"
    assert by_text["bye"] == "greet"
    assert len(merged.examples) == len(GOOD.examples)
    assert sum(normalise_text(e.text) == "hello" for e in merged.examples) == 1
    assert validate(merged, min_examples_per_intent=1) == ()


def test_a_correction_of_a_reply_that_only_named_its_intent_becomes_that_intents_answer() -> None:
    merged = merge_corrections(GOOD, [("hiya", "Hello there!", "greet"), ("hey", "Hello there!", "greet")])
    assert merged.answers == {"greet": "Hello there!"}
    assert {e.text: (e.intent, e.answer) for e in merged.examples if e.intent == "greet"} == {
        "hi": ("greet", "Hello there!"),
        "hello": ("greet", "Hello there!"),
        "hiya": ("greet", "Hello there!"),
        "hey": ("greet", "Hello there!"),
    }
    assert merged.unanswered == ("leave",)


def test_a_named_intent_that_has_an_answer_keeps_it_and_the_correction_starts_its_own() -> None:
    answered = make(("hi", "greet"), ("hello", "greet"), ("bye", "leave"), ("ciao", "leave"), answers={"greet": "Hi!"})
    merged = merge_corrections(answered, [("hiya", "Top of the morning!", "greet"), ("yo", "Yo!", "nope")])
    assert merged.answers["greet"] == "Hi!"
    assert {e.text: e.intent for e in merged.examples}["hiya"] == "top_of_the_morning"
    assert {e.text: e.intent for e in merged.examples}["yo"] == "yo"


def test_by_answer_the_problems_name_answers_not_intents() -> None:
    lines = make(("hello", "hi"), ("hi", "bye"), ("bye", "bye"), answers={"hi": "Hi!", "bye": "See you!"})
    assert validate(lines) == ("intent 'hi' has 1 example (line 2); at least 2 are needed",)
    by_answer = tuple(str(p) for p in problems_of(lines, by_answer=True))
    assert by_answer == ("“Hi!” has 1 way of asking (line 2); at least 2 are needed",)
    repeated = make(("hello", "hi"), ("hey", "hi"), ("Hello!", "bye"), answers={"hi": "Hi!", "bye": "See you!"})
    (problem, too_few) = (str(p) for p in problems_of(repeated, by_answer=True))
    assert problem == "line 4: “Hello!” is also a way of asking “Hi!” (line 2)"
    assert too_few == "“See you!” has 1 way of asking (line 4); at least 2 are needed"
    alone = make(("hello", "hi"), ("hey", "hi"), answers={"hi": "Hi!"})
    assert [str(p) for p in problems_of(alone, by_answer=True)] == [
        "at least two different answers are needed to train; found 1"
    ]
