"""What every format reader produces: raw rows with their line, and the problems found on the way."""

from dataclasses import dataclass, field

from domain.text import Text

# Intent names that mean "out of scope" in the formats we read (Rasa's convention is `out_of_scope`).
OUT_OF_SCOPE_NAMES = frozenset({"oos", "out_of_scope"})


@dataclass(frozen=True, slots=True)
class Row:
    """One example as the file gave it; `intent` and `answer` are None when the format has no such field."""

    line: int
    text: str
    intent: str | None = None
    answer: str | None = None


@dataclass(frozen=True, slots=True)
class Limits:
    """Resource limits, checked before the work they protect is done."""

    max_line_chars: int
    max_record_chars: int
    max_examples: int
    max_depth: int


@dataclass(slots=True)
class Problems:
    """Problems by line. Readers stop early once `full`, so a broken file costs little."""

    limit: int = 100
    items: list[Text | str] = field(default_factory=list)

    def add(self, problem: Text | str) -> None:
        if len(self.items) < self.limit:
            self.items.append(problem)

    @property
    def full(self) -> bool:
        return len(self.items) >= self.limit

    def __bool__(self) -> bool:
        return bool(self.items)


def too_many(rows: list[Row], limits: Limits, problems: Problems) -> bool:
    """True (and a problem noted) once a reader has more rows than the limit allows."""
    if len(rows) <= limits.max_examples:
        return False
    problems.add(
        f"line {rows[-1].line}: more than {limits.max_examples:,} examples; the limit is {limits.max_examples:,}"
    )
    return True


def check_line_lengths(lines: list[str], limit: int, problems: Problems) -> bool:
    """Note every physical line longer than `limit`; True when all are within it."""
    fine = True
    for number, line in enumerate(lines, start=1):
        if len(line) > limit:
            problems.add(f"line {number}: {len(line):,} characters; the limit is {limit:,}")
            fine = False
            if problems.full:
                break
    return fine
