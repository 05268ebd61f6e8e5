"""CSV and TSV with a header row: text (or question), intent (or label, category), optional answer."""

import csv
import io

from adapters.datasets.rows import Limits, Problems, Row, too_many

TEXT_COLUMNS = ("text", "question", "utterance", "example")
INTENT_COLUMNS = ("intent", "label", "category")
ANSWER_COLUMNS = ("answer", "response", "reply")
DELIMITERS = (",", "\t", ";")


def header_delimiter(first_line: str) -> str | None:
    """The delimiter that splits `first_line` into a header we understand, or None when none does."""
    for delimiter in DELIMITERS:
        names = [name.strip().strip('"').casefold() for name in first_line.split(delimiter)]
        if len(names) >= 2 and _columns(names) is not None:
            return delimiter
    return None


def read_tabular(text: str, delimiter: str, limits: Limits, problems: Problems) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Row] = []
    columns: tuple[int, int | None, int | None] | None = None
    start = 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if columns is None:
                columns = _columns([cell.strip().casefold() for cell in record])
                if columns is None:
                    problems.add(
                        f"line {line}: the first line must name the columns: "
                        f"`text` or `question`, then `intent`, `label` or `category`, and/or `answer`"
                    )
                    return []
                continue
            row = _row(record, columns, line, problems)
            if row is not None:
                rows.append(row)
                if too_many(rows, limits, problems):
                    break
            if problems.full:
                break
    except csv.Error as error:
        problems.add(f"line {reader.line_num}: unreadable {'TSV' if delimiter == chr(9) else 'CSV'} ({error})")
    return rows


def _columns(names: list[str]) -> tuple[int, int | None, int | None] | None:
    """Positions of the text, intent and answer columns; None unless there is a text column and one of the others."""
    text = _find(names, TEXT_COLUMNS)
    intent = _find(names, INTENT_COLUMNS)
    answer = _find(names, ANSWER_COLUMNS)
    if text is None or (intent is None and answer is None):
        return None
    return text, intent, answer


def _find(names: list[str], wanted: tuple[str, ...]) -> int | None:
    for name in wanted:
        if name in names:
            return names.index(name)
    return None


def _row(record: list[str], columns: tuple[int, int | None, int | None], line: int, problems: Problems) -> Row | None:
    text_at, intent_at, answer_at = columns
    needed = max(i for i in columns if i is not None)
    if len(record) <= needed:
        problems.add(f"line {line}: {len(record)} column(s), expected {needed + 1}")
        return None
    return Row(
        line=line,
        text=record[text_at],
        intent=record[intent_at] if intent_at is not None else None,
        answer=record[answer_at] if answer_at is not None else None,
    )
