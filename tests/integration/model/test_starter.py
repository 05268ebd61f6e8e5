"""The shipped starter dataset: well formed, answers in the language of the question, accurate in each language."""

import re
from pathlib import Path

import pytest

from adapters.datasets.starter import STARTER_FILE, ShippedStarterDataset, read_starter
from adapters.model.tfidf import TfidfBackend
from application.learning.starter import cross_validated_accuracy, language_of_intent
from domain.errors import InvalidDataset

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
TOPICS = {"greeting", "thanks", "goodbye", "who_are_you", "what_can_you_do", "how_to_teach", "privacy", "voice"}
TOPICS |= {"instructions", "oos"}


def test_every_topic_comes_in_english_and_russian_with_answers_in_that_language() -> None:
    dataset = read_starter()
    assert set(dataset.answers) == {f"{topic}_{language}" for topic in TOPICS for language in ("en", "ru")}
    for intent, answer in dataset.answers.items():
        russian = language_of_intent(intent) == "ru"
        assert bool(CYRILLIC.search(answer)) == russian, intent
        texts = [example.text for example in dataset.examples if example.intent == intent]
        assert len(texts) >= 15, intent
        assert all(bool(CYRILLIC.search(text)) == russian for text in texts), intent
    teach = dataset.answers["how_to_teach_en"]
    assert "`!train" in teach and "=>" in teach and "`!correct" in teach
    assert "`!forget me`" in dataset.answers["privacy_en"] and "`!forget me`" in dataset.answers["privacy_ru"]
    assert "`!join`" in dataset.answers["voice_en"] and "`!instruction`" in dataset.answers["instructions_ru"]


def test_the_dataset_says_its_licence() -> None:
    assert "SPDX-License-Identifier: GPL-3.0-or-later" in STARTER_FILE.read_text("utf-8")
    assert "GPL-3.0-or-later" in (STARTER_FILE.parent / "STARTER.md").read_text("utf-8")


def test_a_broken_starter_file_is_refused_with_its_reason(tmp_path: Path) -> None:
    broken = tmp_path / "starter.yml"
    broken.write_text("intents:\n  greeting_en:\n    answer: Hi\n", "utf-8")
    with pytest.raises(InvalidDataset, match="greeting_en"):
        read_starter(broken)
    broken.write_text("intents: [", "utf-8")
    with pytest.raises(InvalidDataset, match="could not be read"):
        read_starter(broken)


async def test_the_shipped_source_reads_the_file_once() -> None:
    source = ShippedStarterDataset()
    first = await source.dataset()
    assert first is await source.dataset() and first.name == "starter"


@pytest.mark.slow
async def test_cross_validated_accuracy_is_at_least_90_percent_in_each_language() -> None:
    backend = TfidfBackend(threshold=0.5)
    try:
        accuracy = await cross_validated_accuracy(backend, read_starter(), folds=5)
    finally:
        backend.close()
    assert set(accuracy) == {"en", "ru"}
    assert all(value >= 0.90 for value in accuracy.values()), accuracy
