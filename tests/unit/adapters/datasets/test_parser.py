import json

import pytest

from adapters.datasets.parser import DatasetFileParser
from application.ports.model import DatasetParser
from domain.errors import InvalidDataset
from domain.training import OUT_OF_SCOPE, Dataset

PARSER = DatasetFileParser()


def parse(text: str, filename: str, parser: DatasetFileParser = PARSER) -> Dataset:
    return parser.parse(text.encode(), filename)


def problems(text: str | bytes, filename: str, parser: DatasetFileParser = PARSER) -> tuple[str, ...]:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(InvalidDataset) as caught:
        parser.parse(data, filename)
    return caught.value.problems


def rows(dataset: Dataset) -> list[tuple[int | None, str, str]]:
    return [(e.line, e.text, e.intent) for e in dataset.examples]


def test_the_parser_implements_the_port() -> None:
    assert isinstance(PARSER, DatasetParser)


# CSV and TSV


def test_csv_with_intent_and_answer_and_quoted_line_breaks() -> None:
    text = 'text,intent,answer\nhi,greet,Hello!\n"hello, you\nthere",greet,\nbye,leave,Bye!\n'
    dataset = parse(text, "data/bot.csv")
    assert dataset.name == "bot.csv"
    assert rows(dataset) == [(2, "hi", "greet"), (3, "hello, you\nthere", "greet"), (5, "bye", "leave")]
    assert dataset.answers == {"greet": "Hello!", "leave": "Bye!"}


def test_csv_questions_sharing_an_answer_form_one_intent() -> None:
    text = "\n".join(
        [
            "question,answer",
            "when do you open?,We open at 9.",
            "opening hours?,We open at 9.",
            "where are you?,Main Street 1.",
        ]
    )
    dataset = parse(text, "faq.csv")
    assert [e.intent for e in dataset.examples] == ["we_open_at_9", "we_open_at_9", "main_street_1"]
    assert dataset.answers == {"we_open_at_9": "We open at 9.", "main_street_1": "Main Street 1."}


def test_csv_header_names_and_delimiters_vary() -> None:
    semicolons = parse("Text;Category\nhi;greet\nbye;leave\n", "a.csv")
    assert rows(semicolons) == [(2, "hi", "greet"), (3, "bye", "leave")]
    tabs = parse("label\tquestion\ngreet\thi, there\n", "a.tsv")
    assert rows(tabs) == [(2, "hi, there", "greet")]


def test_out_of_scope_labels_are_recognised() -> None:
    dataset = parse("text,intent\nweather?,OOS\nhi,greet\nsing,out_of_scope\n", "a.csv")
    assert [e.intent for e in dataset.examples] == [OUT_OF_SCOPE, "greet", OUT_OF_SCOPE]
    assert dataset.intents == ("greet",)


def test_csv_without_a_header_is_refused() -> None:
    assert problems("hi,greet\nbye,leave\n", "a.csv")[0].startswith("line 1: the first line must name the columns")


def test_csv_rows_with_missing_columns_empty_text_or_contradicting_answers() -> None:
    text = "text,intent,answer\nhi,greet,Hello\nlonely\n,greet,\nhey,greet,Howdy\nbye,leave,\n"
    found = problems(text, "a.csv")
    assert "line 3: 1 column(s), expected 3" in found
    assert "line 4: the message is empty" in found
    assert "line 5: intent 'greet' already has another answer (line 2)" in found
    assert "line 6: intent 'leave' has no answer" in found


# JSON Lines and JSON


def test_json_lines_flat_records() -> None:
    lines = [
        {"text": "hi", "intent": "greet", "answer": "Hello"},
        {"question": "bye", "label": "leave"},
        {"text": "ciao", "answer": "Hello"},
    ]
    dataset = parse("\n".join(json.dumps(line) for line in lines) + "\n\n", "a.jsonl")
    assert rows(dataset) == [(1, "hi", "greet"), (2, "bye", "leave"), (3, "ciao", "hello")]
    assert dataset.answers == {"greet": "Hello", "hello": "Hello"}


def test_json_lines_chat_records_pair_user_and_assistant_messages() -> None:
    record = {
        "messages": [
            {"role": "system", "content": "You are a café."},
            {"role": "user", "content": "When do you open?"},
            {"role": "assistant", "content": "At nine."},
            {"role": "user", "content": [{"type": "text", "text": "And on Sunday?"}]},
            {"role": "assistant", "content": "At nine."},
        ]
    }
    other = {"messages": [{"role": "user", "content": "Wifi?"}, {"role": "assistant", "content": "Yes, free."}]}
    dataset = parse(json.dumps(record) + "\n" + json.dumps(other), "chat.jsonl")
    assert rows(dataset) == [
        (1, "When do you open?", "at_nine"),
        (1, "And on Sunday?", "at_nine"),
        (2, "Wifi?", "yes_free"),
    ]


def test_broken_json_lines_are_reported_by_line() -> None:
    text = "\n".join(
        [
            '{"text": "hi", "intent": "greet"}',
            "{not json",
            "[1, 2]",
            '{"text": "x"}',
            '{"messages": [{"role": "system", "content": "s"}]}',
            '{"text": 3, "intent": "a"}',
        ]
    )
    found = problems(text, "a.jsonl")
    assert found[0].startswith("line 2: not valid JSON")
    assert found[1:] == (
        "line 3: expected a JSON object, found list",
        "line 4: needs an `intent` (or `label`, `category`) or an `answer`",
        "line 5: no user message followed by an assistant message",
        "line 6: needs a `text` or `question` string",
    )


def test_deeply_nested_json_is_refused_before_parsing() -> None:
    deep = '{"text": "hi", "intent": "a", "x": ' + "[" * 50 + "]" * 50 + "}"
    assert problems(deep, "a.jsonl") == ("line 1: JSON nested deeper than 8 levels",)


def test_a_json_array_of_records_keeps_line_numbers() -> None:
    text = '[\n  {"text": "hi", "intent": "greet"},\n\n  {"text": "bye", "intent": "leave"}\n]\n'
    assert rows(parse(text, "a.json")) == [(2, "hi", "greet"), (4, "bye", "leave")]
    assert problems('[\n {"text": "hi", "intent": "a"},\n {"text": }\n]', "a.json")[0].startswith("line 3: not valid")


# Q:/A: blocks and arrows


def test_question_blocks_share_answers_and_answers_may_span_lines() -> None:
    text = (
        "# café FAQ\n"
        "Q: When do you open?\n"
        "q: Opening hours?\n"
        "A: At nine,\n"
        "every day.\n"
        "\n"
        "Question: Where are you?\n"
        "Answer: Main Street 1.\n"
    )
    dataset = parse(text, "faq.txt")
    assert rows(dataset) == [(2, "When do you open?", "at_nine_every_day"), (3, "Opening hours?", "at_nine_every_day"),
                             (7, "Where are you?", "main_street_1")]  # fmt: skip
    assert dataset.answers["at_nine_every_day"] == "At nine,\nevery day."


def test_broken_question_blocks() -> None:
    text = "A: orphan\nQ: one\nA: first\nA: second\nstray line\n\nQ:\nA:\n\nQ: unanswered\n"
    found = problems(text, "faq.txt")
    assert "line 1: an answer without a question before it" in found
    assert "line 4: a second answer for the same questions (the first is on line 3)" in found
    assert "line 8: the answer is empty" in found
    assert "line 7: the message is empty" in found
    assert "line 10: a question without an answer" in found


def test_arrow_lines() -> None:
    text = "# inline\nhi => Hello!\nhello => Hello!\n\nbye => See you\n"
    dataset = parse(text, "inline.txt")
    assert rows(dataset) == [(2, "hi", "hello"), (3, "hello", "hello"), (5, "bye", "see_you")]
    found = problems("hi => Hello\njust text\nbye =>   \n", "inline.txt")
    assert found == ("line 2: expected `question => answer`", "line 3: the answer is empty")


# Rasa


RASA = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - hey
    - hello [Anna](name) there
- synonym: savings
  examples: |
    - pink pig
- intent: out_of_scope
  examples: |
    - what is the weather
responses:
  utter_greet:
  - text: "Hey! How are you?"
"""


def test_rasa_nlu_with_entities_and_responses() -> None:
    dataset = parse(RASA, "nlu.yml")
    assert rows(dataset) == [(5, "hey", "greet"), (6, "hello Anna there", "greet"), (12, "what is the weather", "oos")]
    assert dataset.answers == {"greet": "Hey! How are you?"}


def test_rasa_refuses_aliases_bad_yaml_and_missing_nlu() -> None:
    bomb = 'a: &a ["x", "x"]\nb: &b [*a, *a]\nnlu: []\n'
    assert problems(bomb, "nlu.yml") == ("line 2: YAML aliases (*name) are not supported",)
    assert problems("nlu: [\n", "nlu.yml")[0].startswith("line 2: not valid YAML")
    assert problems("intents: []\n", "nlu.yaml") == ("line 1: expected an `nlu:` list of `- intent:` entries",)
    assert problems("nlu:\n- intent: a\n  examples: |\n    no dash\n", "nlu.yml") == (
        "line 4: each example must start with `- `",
    )


# Detection and limits


def test_the_format_of_a_text_file_is_told_by_its_content() -> None:
    assert rows(parse('{"text": "hi", "intent": "a"}\n', "notes"))[0] == (1, "hi", "a")
    assert parse(RASA, "nlu.txt").answers == {"greet": "Hey! How are you?"}
    assert rows(parse("text\tintent\nhi\ta\n", "x.md")) == [(2, "hi", "a")]
    assert problems("just some words\n", "x.txt")[0].startswith("I can't tell the format of `x.txt`")


def test_limits_are_checked_before_parsing() -> None:
    small = DatasetFileParser(max_bytes=100, max_line_chars=20, max_examples=3, max_record_chars=40)
    assert problems("hi => a\n" * 20, "a.txt", small) == ("the file has 160 bytes; the limit is 100",)
    assert problems("hi => a\n" + "x" * 30 + " => b\n", "a.txt", small) == ("line 2: 35 characters; the limit is 20",)
    assert problems("a => b\n" * 4, "a.txt", small) == ("line 4: more than 3 examples; the limit is 3",)
    record = json.dumps({"text": "x" * 30, "intent": "a"})
    assert problems(record, "a.jsonl", small)[0] == f"line 1: {len(record)} characters; the limit is 40"


def test_binary_and_non_utf8_files_are_refused_and_a_bom_is_ignored() -> None:
    assert problems(b"text,intent\n\x00\x01", "a.csv") == ("the file looks binary; training data must be text",)
    assert problems(b"text,intent\ncaf\xe9,a\n", "a.csv") == ("the file is not UTF-8 text (byte 15 is not valid)",)
    assert rows(PARSER.parse("\ufefftext,intent\nhi,a\n".encode(), "a.csv")) == [(2, "hi", "a")]


def test_an_empty_file_has_no_examples() -> None:
    with pytest.raises(InvalidDataset, match="has no examples"):
        PARSER.parse(b"# nothing yet\n", "inline.txt")
    with pytest.raises(InvalidDataset, match="has no examples"):
        PARSER.parse(b"\n\n", "a.csv")


def test_the_refusal_lists_the_problems_for_the_user() -> None:
    with pytest.raises(InvalidDataset) as caught:
        PARSER.parse(b"hi => Hello\nbroken\n", "inline.txt")
    assert "`inline.txt` was not used" in caught.value.user_message
    assert "- line 2: expected `question => answer`" in caught.value.user_message


@pytest.mark.parametrize("filename", ["data.jsonl", "data.json"])
def test_a_number_too_long_to_convert_is_refused_by_line(filename: str) -> None:
    huge = "9" * 4_301
    records = ['{"text": "hi", "intent": "greet"}', f'{{"text": "yo", "intent": "greet", "n": {huge}}}']
    text = "[" + ",\n".join(records) + "]" if filename == "data.json" else "\n".join(records)
    with pytest.raises(InvalidDataset, match="line 2: a number has more than 4,300 digits"):
        parse(text, filename)
