"""The Russian evaluation set as bench/model.py reads it: big enough, Russian, and parallel to BANKING77."""

from pathlib import Path

import pytest

from bench.banking77_ru import read_parallel


def _cyrillic_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    return sum("\u0400" <= c <= "\u04ff" for c in letters) / max(1, len(letters))


@pytest.mark.parametrize("split", ["train", "test"])
def test_the_russian_set_holds_at_least_twenty_intents_in_russian_beside_their_english_rows(split: str) -> None:
    rows = read_parallel(split)
    intents = {row.category for row in rows}
    assert len(intents) >= 20
    assert len(rows) >= 500
    # Mostly Cyrillic: names such as Apple Pay or Visa may stay in Latin letters, whole sentences may not.
    assert all(_cyrillic_share(row.russian) >= 0.5 for row in rows), [
        row.russian for row in rows if _cyrillic_share(row.russian) < 0.5
    ][:5]
    assert all(row.english and row.english != row.russian for row in rows)
    assert len({row.source_row for row in rows}) == len(rows)  # each English message translated once


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "test.csv")):
        read_parallel("test", tmp_path)


def test_a_row_whose_intent_differs_from_its_english_source_is_refused(tmp_path: Path) -> None:
    english = read_parallel("test")[0]
    (tmp_path / "test.csv").write_text(
        f"source_row,category,text\n{english.source_row},not_{english.category},Перевод\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match=f"source_row {english.source_row}"):
        read_parallel("test", tmp_path)
