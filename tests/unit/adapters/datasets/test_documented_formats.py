"""Every training file `!instruction` and `!help train` show is one the parser reads, answers included."""

import re
from pathlib import Path

import pytest

from adapters.datasets.parser import DatasetFileParser
from domain.catalogue import help_text
from domain.dataset_rules import validate

INSTRUCTIONS = Path(__file__).resolve().parents[4] / "adapters" / "config" / "instructions.md"
FILE_NAMES = {"csv": "faq.csv", "json": "faq.jsonl", "text": "faq.txt", "yaml": "nlu.yml"}
PARSER = DatasetFileParser()


def documented_files() -> list[tuple[str, str]]:
    blocks = re.findall(r"```(\w+)\n(.*?)```", INSTRUCTIONS.read_text(encoding="utf-8"), re.DOTALL)
    return [(FILE_NAMES[language], body) for language, body in blocks]


def test_the_instructions_show_a_whole_file_in_each_format() -> None:
    assert sorted(name for name, _ in documented_files()) == ["faq.csv", "faq.jsonl", "faq.txt", "faq.txt", "nlu.yml"]
    text = INSTRUCTIONS.read_text(encoding="utf-8")
    assert "optional `answer` column" in text and "`!correct`" in text


@pytest.mark.parametrize(("name", "body"), documented_files(), ids=lambda value: str(value)[:12])
def test_each_documented_file_trains_as_shown(name: str, body: str) -> None:
    dataset = PARSER.parse(body.encode(), name)
    assert validate(dataset) == ()
    assert len(dataset.examples) == 4 and len(dataset.intents) == 2
    if name == "nlu.yml":
        assert dataset.unanswered == dataset.intents  # Rasa's NLU data holds no answers
    else:
        assert dataset.unanswered == ()
        assert set(dataset.answers.values()) == {"We open at nine every day.", "12 Harbour Street."}


def test_help_train_shows_each_format_with_the_optional_answer() -> None:
    shown = str(help_text("train"))
    assert "The answer is optional: without one I can only name what I recognised" in shown
    assert "`correct THE ANSWER`" in shown  # a command: each chat writes it with its prefix
    lines = {line.split(":")[0]: re.findall(r"`([^`]+)`", line) for line in shown.splitlines() if line.startswith("- ")}
    files = {
        "one.csv": "\n".join(lines["- CSV or TSV with a header"]),
        "one.jsonl": lines["- JSON Lines"][0],
        "one.txt": "\n".join(lines["- `Q"][2:]),
        "arrows.txt": lines["- `question => answer` lines, in a file or after the command"][1],
    }
    for name, body in files.items():
        dataset = PARSER.parse(body.encode(), name)
        assert {e.text for e in dataset.examples} >= {"when do you open?"}, name
        assert set(dataset.answers.values()) == {"We open at nine."}, name
    assert "- Rasa `nlu.yml`: intents and their examples, without answers" in shown
