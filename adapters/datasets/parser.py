"""Training data files in every supported format -> a Dataset, or InvalidDataset listing the problems by line.

Formats, chosen by the file's extension, or by its content for .txt, .md and unknown extensions:
- CSV / TSV with a header: `text` or `question`; `intent`, `label` or `category`; optional `answer`;
- JSON Lines (or a JSON array): flat records with the same fields, or OpenAI chat records `{"messages": [...]}`;
- `Q:` / `A:` blocks, several questions sharing one answer;
- `question => answer` lines;
- Rasa `nlu.yml` (import only).
When examples have answers but no intent, questions sharing an answer form one intent named after the answer.
The intent `oos` (or `out_of_scope`) marks out-of-scope examples.

Only what a file says is checked here (format, limits, empty fields, contradictory answers); the rules about
the whole set (duplicates across intents, examples per intent) are `domain.dataset_rules.validate`.
"""

from pathlib import PurePath

from adapters.datasets.json_records import read_json_array, read_json_lines
from adapters.datasets.plain_text import looks_like_arrows, looks_like_blocks, read_arrows, read_blocks
from adapters.datasets.rasa import looks_like_rasa, read_rasa
from adapters.datasets.rows import OUT_OF_SCOPE_NAMES, Limits, Problems, Row, check_line_lengths
from adapters.datasets.tabular import header_delimiter, read_tabular
from domain.dataset_rules import intent_name_for_answer, normalise_text
from domain.errors import InvalidDataset
from domain.text import Code, Quote, say
from domain.training import OUT_OF_SCOPE, Dataset, Example

FORMATS_HELP = "CSV/TSV with a header, JSON Lines, `Q:`/`A:` blocks, `question => answer` lines or Rasa nlu.yml"


class DatasetFileParser:
    """Implements application.ports.model.DatasetParser."""

    def __init__(
        self,
        max_bytes: int = 5_000_000,
        max_line_chars: int = 5_000,
        max_record_chars: int = 20_000,
        max_examples: int = 20_000,
        max_json_depth: int = 8,
    ) -> None:
        self._max_bytes = max_bytes
        self._limits = Limits(
            max_line_chars=max_line_chars,
            max_record_chars=max_record_chars,
            max_examples=max_examples,
            max_depth=max_json_depth,
        )

    def parse(self, data: bytes, filename: str) -> Dataset:
        name = PurePath(filename).name or "dataset"
        problems = Problems()
        rows = self._read(data, name, problems)
        examples, answers = _assemble(rows, self._limits, problems)
        if problems:
            raise InvalidDataset(
                say(Code(name), " was not used: please fix these problems and send it again."), tuple(problems.items)
            )
        if not examples:
            raise InvalidDataset(say(Code(name), f" has no examples. Supported formats: {FORMATS_HELP}."))
        return Dataset(name=name, examples=tuple(examples), answers=answers)

    def _read(self, data: bytes, name: str, problems: Problems) -> list[Row]:
        if len(data) > self._max_bytes:
            problems.add(f"the file has {len(data):,} bytes; the limit is {self._max_bytes:,}")
            return []
        if b"\x00" in data:
            problems.add("the file looks binary; training data must be text")
            return []
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            problems.add(f"the file is not UTF-8 text (byte {error.start:,} is not valid)")
            return []
        lines = text.splitlines()
        if not any(line.strip() and not line.lstrip().startswith("#") for line in lines):
            return []  # nothing but blank lines and comments: "no examples" says it best
        kind = _kind(PurePath(name).suffix.casefold(), text, lines)
        limit = self._limits.max_record_chars if kind in ("jsonl", "json") else self._limits.max_line_chars
        if not check_line_lengths(lines, limit, problems):
            return []
        if kind == "jsonl":
            return read_json_lines(lines, self._limits, problems)
        if kind == "json":
            return read_json_array(text, self._limits, problems)
        if kind == "rasa":
            return read_rasa(text, self._limits, problems)
        if kind == "blocks":
            return read_blocks(lines, self._limits, problems)
        if kind == "arrows":
            return read_arrows(lines, self._limits, problems)
        if kind.startswith("table"):
            return read_tabular(text, kind.removeprefix("table"), self._limits, problems)
        problems.add(say("I can't tell the format of ", Code(name), f". Supported: {FORMATS_HELP}."))
        return []


def _kind(suffix: str, text: str, lines: list[str]) -> str:
    """The reader for a file: by extension first, by content when the extension says nothing."""
    if suffix == ".tsv" or suffix == ".tab":
        return "table\t"
    first = next((line for line in lines if line.strip()), "")
    if suffix == ".csv":
        return "table" + (header_delimiter(first) or ",")
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "json" if first.lstrip().startswith("[") else "jsonl"
    if suffix in (".yml", ".yaml"):
        return "rasa"
    stripped = first.lstrip()
    if stripped.startswith("{"):
        return "jsonl"
    if stripped.startswith("["):
        return "json"
    if looks_like_rasa(text):
        return "rasa"
    if looks_like_blocks(lines):
        return "blocks"
    delimiter = header_delimiter(first)
    if delimiter is not None:
        return "table" + delimiter
    if looks_like_arrows(lines):
        return "arrows"
    return "unknown"


def _assemble(rows: list[Row], limits: Limits, problems: Problems) -> tuple[list[Example], dict[str, str]]:
    """Rows -> examples and answers: intents named after answers where the file gives none."""
    named = {_intent(row.intent) for row in rows if row.intent and row.intent.strip()}
    by_answer: dict[str, str] = {}
    answers: dict[str, str] = {}
    answer_line: dict[str, int] = {}
    wants_answer: dict[str, int] = {}
    examples: list[Example] = []
    for row in rows:
        text = row.text.strip()
        answer = row.answer.strip() if row.answer is not None else None
        if not text:
            problems.add(f"line {row.line}: the message is empty")
        elif len(text) > limits.max_line_chars:
            problems.add(
                f"line {row.line}: the message has {len(text):,} characters; the limit is {limits.max_line_chars:,}"
            )
        if answer is not None and len(answer) > limits.max_record_chars:
            problems.add(
                f"line {row.line}: the answer has {len(answer):,} characters; the limit is {limits.max_record_chars:,}"
            )
        if row.intent and row.intent.strip():
            intent = _intent(row.intent)
        elif answer:
            intent = by_answer.get(normalise_text(answer)) or intent_name_for_answer(answer, named)
            named.add(intent)
            by_answer.setdefault(normalise_text(answer), intent)
        else:
            problems.add(f"line {row.line}: no intent and no answer")
            continue
        if row.answer is not None and intent != OUT_OF_SCOPE:
            wants_answer.setdefault(intent, row.line)
            if answer:
                known = answers.setdefault(intent, answer)
                answer_line.setdefault(intent, row.line)
                if normalise_text(known) != normalise_text(answer):
                    problems.add(
                        say(
                            f"line {row.line}: intent '",
                            Quote(intent, 80),
                            f"' already has another answer (line {answer_line[intent]})",
                        )
                    )
        examples.append(Example(text=text, intent=intent, answer=answer or None, line=row.line))
    for intent, line in wants_answer.items():
        if intent not in answers:
            problems.add(say(f"line {line}: intent '", Quote(intent, 80), "' has no answer"))
    return examples, answers


def _intent(raw: str) -> str:
    name = raw.strip()
    return OUT_OF_SCOPE if name.casefold() in OUT_OF_SCOPE_NAMES else name
