"""The Russian evaluation set (bench/data/banking77_ru): BANKING77 messages translated by hand, row by row.

Each row names the BANKING77 row it translates (`source_row`, the 0-based data row of the same split in
../shared/data/intents/banking77), so every Russian message comes with its English original and the two sets
hold the same intents in the same proportions. SOURCES.md beside the files says how they were made.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from support.shared_data import shared_data

RUSSIAN_SET = Path(__file__).resolve().parent / "data" / "banking77_ru"
SPLITS = ("train", "test")


@dataclass(frozen=True, slots=True)
class ParallelRow:
    """One message in both languages, with its BANKING77 intent."""

    source_row: int
    category: str
    russian: str
    english: str


def read_parallel(split: str, folder: Path = RUSSIAN_SET) -> list[ParallelRow]:
    """The split's Russian rows beside their English originals; fails naming a missing file or a wrong row."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose among {', '.join(SPLITS)}")
    path = folder / f"{split}.csv"
    if not path.is_file():
        raise FileNotFoundError(f"missing Russian evaluation file: {path} (see bench/data/banking77_ru/SOURCES.md)")
    with shared_data("intents", "banking77", f"{split}.csv").open(encoding="utf-8", newline="") as file:
        english = [(row["text"], row["category"]) for row in csv.DictReader(file)]
    rows = []
    with path.open(encoding="utf-8", newline="") as file:
        for line, row in enumerate(csv.DictReader(file), start=2):
            source = int(row["source_row"])
            if not 0 <= source < len(english) or english[source][1] != row["category"]:
                raise ValueError(f"{path}:{line}: source_row {source} is not a BANKING77 {row['category']} message")
            rows.append(ParallelRow(source, row["category"], row["text"].strip(), english[source][0]))
    return rows
