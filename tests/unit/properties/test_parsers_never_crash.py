"""Property-based: any text into the command parser, the path sandbox and the JSON dataset readers gives a
command, a dataset or a clear refusal."""

import json
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from adapters.datasets.parser import DatasetFileParser
from adapters.storage.sandbox import clean_relative, resolve_inside
from application.chat.command_parser import parse_message
from domain.commands import Command
from domain.errors import ParrotError, PathOutsideRoot
from domain.ids import ChannelId, MessageId, UserId
from domain.messages import Author, Message
from domain.training import Dataset

ROOT = Path("/srv/parrot-root-that-does-not-exist")
TRICKY = st.sampled_from(["..", ".", "/", "\\", "%2e", "．", "\x00", "C:", "~", "a", "b.txt", " ", "\u2024", "\u2215"])


def message(text: str) -> Message:
    return Message(MessageId(1), ChannelId(2), Author(UserId(3), "ann"), text)


@given(st.text(max_size=300))
@settings(max_examples=300)
def test_any_text_parses_to_a_command(text: str) -> None:
    assert isinstance(parse_message(message(text), "!"), Command)


@given(st.lists(st.one_of(TRICKY, st.text(max_size=8)), max_size=12).map("".join))
@settings(max_examples=500)
def test_no_path_ever_resolves_outside_the_root(path: str) -> None:
    try:
        resolved = resolve_inside(ROOT, path)
    except PathOutsideRoot as refusal:
        assert refusal.user_message.startswith("I can't use the path")
    else:
        assert resolved.is_relative_to(ROOT)
        assert ".." not in clean_relative(path)


# JSON as a hostile file gives it: numbers past Python's 4,300-digit conversion limit, deep nesting,
# the field names the readers look for, in records of JSON Lines or of one array.
JSON_LEAF = st.one_of(
    st.integers(1, 6_000).map(lambda digits: "7" * digits),
    st.integers().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text(max_size=12).map(json.dumps),
    st.sampled_from(["true", "false", "null", '"hi"', '"greet"', "1e999", "-0"]),
    st.integers(1, 40).map(lambda depth: "[" * depth + "1" + "]" * depth),
)
JSON_KEY = st.one_of(
    st.sampled_from(['"text"', '"intent"', '"answer"', '"messages"', '"role"', '"content"']),
    st.text(max_size=6).map(json.dumps),
)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda items: "[" + ",".join(items) + "]"),
        st.lists(st.tuples(JSON_KEY, children), max_size=4).map(
            lambda pairs: "{" + ",".join(f"{key}:{value}" for key, value in pairs) + "}"
        ),
    ),
    max_leaves=16,
)
JSON_RECORD = st.one_of(
    JSON_VALUE,
    st.tuples(JSON_VALUE, JSON_VALUE).map(lambda v: f'{{"text": "hi", "intent": {v[0]}, "extra": {v[1]}}}'),
    JSON_VALUE.map(lambda v: f'{{"text": {v}, "intent": "greet"}}'),
)
JSON_PARSER = DatasetFileParser(max_bytes=500_000, max_examples=500)


@given(records=st.lists(JSON_RECORD, min_size=1, max_size=6), as_array=st.booleans())
@example(records=['{"text": "hi", "intent": "a", "n": ' + "9" * 4_301 + "}"], as_array=False)
@example(records=['{"text": "hi", "intent": "a"}', '{"n": -' + "9" * 5_000 + "}"], as_array=True)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_any_json_training_file_parses_or_is_refused_by_line(records: list[str], as_array: bool) -> None:
    text = "[" + ",\n".join(records) + "]" if as_array else "\n".join(records)
    try:
        dataset = JSON_PARSER.parse(text.encode("utf-8", errors="surrogatepass"), "data.json")
    except ParrotError as refusal:
        assert refusal.user_message.strip()
        if any(len(record) > 4_300 and "7" * 4_301 in record for record in records):
            assert "line " in refusal.user_message
    else:
        assert isinstance(dataset, Dataset) and dataset.examples
