"""The starter dataset shipped with Parrot (`starter.yml`, licensed with Parrot: see STARTER.md)."""

import asyncio
from pathlib import Path
from typing import Any

import yaml

from domain.dataset_rules import validate
from domain.errors import InvalidDataset
from domain.training import Dataset, Example

STARTER_FILE = Path(__file__).resolve().with_name("starter.yml")


def read_starter(path: Path = STARTER_FILE) -> Dataset:
    """`intents: {name: {answer, examples: [...]}}` -> a Dataset; InvalidDataset names what is wrong."""
    try:
        document: Any = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise InvalidDataset(f"The starter dataset {path.name} could not be read: {error}") from None
    intents = document.get("intents") if isinstance(document, dict) else None
    if not isinstance(intents, dict) or not intents:
        raise InvalidDataset(f"The starter dataset {path.name} has no `intents` table.")
    examples: list[Example] = []
    answers: dict[str, str] = {}
    for intent, body in intents.items():
        answer = body.get("answer") if isinstance(body, dict) else None
        texts = body.get("examples") if isinstance(body, dict) else None
        if not isinstance(answer, str) or not isinstance(texts, list) or not texts:
            raise InvalidDataset(f"The starter intent `{intent}` needs an `answer` and a list of `examples`.")
        answers[str(intent)] = " ".join(answer.split())
        examples.extend(Example(str(text).strip(), str(intent), answers[str(intent)]) for text in texts)
    dataset = Dataset(name="starter", examples=tuple(examples), answers=answers)
    problems = validate(dataset, min_examples_per_intent=10)
    if problems:
        raise InvalidDataset(f"The starter dataset {path.name} is inconsistent.", tuple(problems))
    return dataset


class ShippedStarterDataset:
    """Implements application.ports.starter.StarterSource: the file is read once, off the event loop."""

    def __init__(self, path: Path = STARTER_FILE) -> None:
        self._path = path
        self._dataset: Dataset | None = None

    async def dataset(self) -> Dataset:
        if self._dataset is None:
            self._dataset = await asyncio.to_thread(read_starter, self._path)
        return self._dataset
