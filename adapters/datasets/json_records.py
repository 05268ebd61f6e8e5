"""JSON Lines (or a JSON array) of flat records, or of OpenAI chat records `{"messages": [...]}`."""

import json
import sys
from typing import Any

from adapters.datasets.rows import Limits, Problems, Row, too_many
from adapters.datasets.tabular import ANSWER_COLUMNS, INTENT_COLUMNS, TEXT_COLUMNS

_DECODER = json.JSONDecoder()


def json_depth(text: str) -> int:
    """How deeply brackets nest in a JSON text, found without parsing it (so a hostile file costs nothing)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def read_json_lines(lines: list[str], limits: Limits, problems: Problems) -> list[Row]:
    rows: list[Row] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if json_depth(line) > limits.max_depth:
            problems.add(f"line {number}: JSON nested deeper than {limits.max_depth} levels")
        else:
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                problems.add(f"line {number}: not valid JSON ({error.msg}, column {error.colno})")
            except ValueError:
                problems.add(_too_many_digits(number))
            else:
                rows.extend(_rows(record, number, problems))
        if too_many(rows, limits, problems) or problems.full:
            break
    return rows


def read_json_array(text: str, limits: Limits, problems: Problems) -> list[Row]:
    """A JSON array of records; each record is decoded on its own so that problems keep their line."""
    if json_depth(text) > limits.max_depth + 1:
        problems.add(f"line 1: JSON nested deeper than {limits.max_depth} levels")
        return []
    rows: list[Row] = []
    position = text.index("[") + 1
    line, counted = 1, 0
    while not problems.full:
        position = _skip(text, position, " \t\r\n,")
        if position >= len(text):
            problems.add(f"line {text.count(chr(10)) + 1}: the JSON array is not closed")
            break
        if text[position] == "]":
            if text[position + 1 :].strip():
                problems.add(f"line {line + text.count(chr(10), counted, position)}: unexpected text after the array")
            break
        # Lines are counted from the previous record on, never from the start: a big file stays linear.
        line, counted = line + text.count("\n", counted, position), position
        try:
            record, position = _DECODER.raw_decode(text, position)
        except json.JSONDecodeError as error:
            problems.add(f"line {error.lineno}: not valid JSON ({error.msg}, column {error.colno})")
            break
        except ValueError:
            problems.add(_too_many_digits(line))
            break
        rows.extend(_rows(record, line, problems))
        if too_many(rows, limits, problems):
            break
    return rows


def _too_many_digits(line: int) -> str:
    # Python refuses to convert integers longer than this (a guard against quadratic-time conversion).
    return f"line {line}: a number has more than {sys.get_int_max_str_digits():,} digits"


def _rows(record: Any, line: int, problems: Problems) -> list[Row]:
    if not isinstance(record, dict):
        problems.add(f"line {line}: expected a JSON object, found {type(record).__name__}")
        return []
    if "messages" in record:
        return _chat_rows(record, line, problems)
    text = _field(record, TEXT_COLUMNS)
    intent = _field(record, INTENT_COLUMNS)
    answer = _field(record, ANSWER_COLUMNS)
    if not isinstance(text, str):
        problems.add(f"line {line}: needs a `text` or `question` string")
        return []
    if intent is None and answer is None:
        problems.add(f"line {line}: needs an `intent` (or `label`, `category`) or an `answer`")
        return []
    if not isinstance(intent, str | None) or not isinstance(answer, str | None):
        problems.add(f"line {line}: `intent` and `answer` must be strings")
        return []
    return [Row(line, text, intent, answer)]


def _chat_rows(record: dict[str, Any], line: int, problems: Problems) -> list[Row]:
    """Each user message followed by an assistant message is one example; system messages are ignored."""
    messages = record["messages"]
    intent = _field(record, INTENT_COLUMNS)
    if not isinstance(messages, list) or not isinstance(intent, str | None):
        problems.add(f"line {line}: `messages` must be a list of {{role, content}} objects")
        return []
    rows: list[Row] = []
    question: str | None = None
    for message in messages:
        if not isinstance(message, dict):
            problems.add(f"line {line}: each message must be an object with `role` and `content`")
            return []
        content = _content(message.get("content"))
        if message.get("role") == "user":
            question = content
        elif message.get("role") == "assistant" and question is not None:
            rows.append(Row(line, question, intent, content or ""))
            question = None
    if not rows:
        problems.add(f"line {line}: no user message followed by an assistant message")
    return rows


def _content(content: Any) -> str | None:
    """Chat content is a string or a list of parts; the text parts are what we keep."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [str(p["text"]) for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)]
        return " ".join(parts) if parts else None
    return None


def _field(record: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        if name in record:
            return record[name]
    return None


def _skip(text: str, position: int, characters: str) -> int:
    while position < len(text) and text[position] in characters:
        position += 1
    return position
