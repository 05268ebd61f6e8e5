"""Rules a training set must follow, and how users' corrections join it. Standard library only."""

import re
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import TypeGuard

from domain.errors import InvalidDataset
from domain.text import Code, Quote, Text, say
from domain.training import OUT_OF_SCOPE, Dataset, Example

DEFAULT_MIN_EXAMPLES_PER_INTENT = 2
DEFAULT_MAX_TEXT_CHARS = 5_000
_SLUG_WORDS = 4
_SLUG_CHARS = 40


def normalise_text(text: str) -> str:
    """The form two messages share when they say the same thing: case, spacing and end punctuation ignored."""
    return " ".join(text.casefold().split()).strip(" .!?,;:")


def intent_name_for_answer(answer: str, taken: Collection[str]) -> str:
    """A readable, unique intent name from an answer's first words ("Opening hours are..." -> opening_hours_are)."""
    words = re.findall(r"\w+", answer.casefold())
    base = "_".join(words[:_SLUG_WORDS])[:_SLUG_CHARS].strip("_") or "answer"
    if base == OUT_OF_SCOPE:
        base = f"{base}_answer"
    name, number = base, 2
    while name in taken:
        name = f"{base}_{number}"
        number += 1
    return name


def where(example: Example, index: int) -> str:
    """How a problem names an example: by its line in the file, or by its position when it has none."""
    return f"line {example.line}" if example.line is not None else f"example {index + 1}"


def validate(
    dataset: Dataset,
    min_examples_per_intent: int = DEFAULT_MIN_EXAMPLES_PER_INTENT,
    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS,
) -> tuple[str, ...]:
    """Every reason not to train on `dataset`, by line, as plain text; empty when it is fine."""
    return tuple(str(problem) for problem in problems_of(dataset, min_examples_per_intent, max_text_chars))


def problems_of(
    dataset: Dataset,
    min_examples_per_intent: int = DEFAULT_MIN_EXAMPLES_PER_INTENT,
    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS,
    by_answer: bool = False,
) -> tuple[Text | str, ...]:
    """Every reason not to train on `dataset`, by line, the file's names and texts quoted for the chat.

    Out-of-scope examples (intent `oos`) need no minimum count and no answer. With `by_answer`, intents are named
    by their answers: for `question => answer` lines typed in the chat, whose intent names the user never saw.
    """

    def intent_named(intent: str) -> Text:
        answer = dataset.answers.get(intent, "") if by_answer else ""
        return say("“", Quote(_shorten(answer)), "”") if answer.strip() else say("intent '", _name(intent), "'")

    problems: list[Text | str] = []
    first_seen: dict[str, tuple[str, str]] = {}
    positions: dict[str, list[str]] = defaultdict(list)
    for index, example in enumerate(dataset.examples):
        place = where(example, index)
        positions[example.intent].append(place)
        if not example.text.strip():
            problems.append(f"{place}: the message is empty")
            continue
        if len(example.text) > max_text_chars:
            problems.append(
                f"{place}: the message has {len(example.text):,} characters; the limit is {max_text_chars:,}"
            )
        if not example.intent.strip():
            problems.append(f"{place}: the intent is empty")
        key = normalise_text(example.text)
        seen = first_seen.setdefault(key, (example.intent, place))
        if seen[0] != example.intent:
            problems.append(
                say(
                    f"{place}: “",
                    Quote(_shorten(example.text)),
                    "” is also a way of asking " if by_answer else "” is also under ",
                    intent_named(seen[0]),
                    f" ({seen[1]})",
                )
            )
    for intent, places in positions.items():
        if intent != OUT_OF_SCOPE and len(places) < min_examples_per_intent:
            plural = "" if len(places) == 1 else "s"
            count = f"{len(places)} way{plural} of asking" if by_answer else f"{len(places)} example{plural}"
            needed = min_examples_per_intent
            problems.append(
                say(intent_named(intent), f" has {count} ({', '.join(places[:3])}); at least {needed} are needed")
            )
    for intent, answer in dataset.answers.items():
        if not answer.strip():
            place = positions[intent][0] if positions.get(intent) else "the answers"
            problems.append(say(f"{place}: the answer of intent '", _name(intent), "' is empty"))
    if len(positions) < 2:
        kinds = "different answers" if by_answer else "intents"
        problems.append(f"at least two {kinds} are needed to train; found {len(positions)}")
    return tuple(problems)


def ensure_valid(
    dataset: Dataset,
    min_examples_per_intent: int = DEFAULT_MIN_EXAMPLES_PER_INTENT,
    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS,
    by_answer: bool = False,
) -> None:
    """Raise InvalidDataset listing every problem `validate` finds, so that nothing is trained from it."""
    problems = problems_of(dataset, min_examples_per_intent, max_text_chars, by_answer)
    if problems:
        raise InvalidDataset(
            say(Code(dataset.name), " was not used for training: please fix these problems."), problems
        )


# A correction as (message text, right answer), or with a third part: the intent the corrected reply could only
# name, having no answer in the data.
CorrectionLine = tuple[str, str] | tuple[str, str, str | None]


def merge_corrections(dataset: Dataset, corrections: Sequence[CorrectionLine]) -> Dataset:
    """Add users' corrections, given oldest first, to a training set.

    A correction replaces the training examples and older corrections with the same normalised text.
    It joins the intent whose answer it repeats, or the intent it names; else, when it corrects a reply that could
    only name an intent the data gives no answer, it becomes that intent's answer; otherwise it starts an intent of
    its own.
    """
    latest: dict[str, tuple[str, str, str | None]] = {}
    for correction in corrections:
        text, answer, answers_intent = correction if len(correction) == 3 else (*correction, None)
        key = normalise_text(text)
        if key:
            latest.pop(key, None)  # re-insert so that the order of dict keys is the order of the latest corrections
            latest[key] = (text.strip(), answer.strip(), answers_intent)
    examples = [e for e in dataset.examples if normalise_text(e.text) not in latest]
    answers = dict(dataset.answers)
    intents = {e.intent for e in dataset.examples} | set(answers)
    by_answer = {normalise_text(a): intent for intent, a in answers.items() if a.strip()}
    by_name = {i.casefold(): i for i in intents}
    given: set[str] = set()
    for text, answer, answers_intent in latest.values():
        intent = by_answer.get(normalise_text(answer)) or by_name.get(answer.casefold())
        if intent is None and _lacks_answer(answers_intent, intents, answers):
            intent = answers_intent
            answers[intent] = answer
            by_answer[normalise_text(answer)] = intent
            given.add(intent)
        if intent is None:
            intent = intent_name_for_answer(answer, intents)
            intents.add(intent)
            answers[intent] = answer
            by_answer[normalise_text(answer)] = intent
        examples.append(Example(text=text, intent=intent, answer=answers.get(intent)))
    # The data's own examples of an intent that a correction gave its answer now carry it too.
    examples = [replace(e, answer=answers[e.intent]) if e.intent in given else e for e in examples]
    return Dataset(name=dataset.name, examples=tuple(examples), answers=answers)


def _lacks_answer(intent: str | None, intents: Collection[str], answers: dict[str, str]) -> TypeGuard[str]:
    return intent is not None and intent != OUT_OF_SCOPE and intent in intents and not answers.get(intent, "").strip()


def _name(intent: str) -> Quote:
    """An intent's name as the file gave it: shown verbatim, never as markup."""
    return Quote(intent, 80)


def _shorten(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
