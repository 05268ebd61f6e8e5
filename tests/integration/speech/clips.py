"""The shared speech clips and their reference transcripts (data/speech/transcripts.tsv)."""

import csv
from dataclasses import dataclass
from pathlib import Path

from support.shared_data import shared_data


@dataclass(frozen=True)
class Clip:
    file: str
    reference: str

    @property
    def path(self) -> Path:
        return shared_data("speech", self.file)

    @property
    def language(self) -> str:
        return "ru-RU" if self.file.startswith("ru_") else "en-US"


def speech_clips() -> list[Clip]:
    with shared_data("speech", "transcripts.tsv").open(encoding="utf-8", newline="") as table:
        return [Clip(row["file"], row["reference"]) for row in csv.DictReader(table, delimiter="\t")]
