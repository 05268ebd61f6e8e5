"""Word error rate as data/speech/SOURCES.md asks: normalised text, digits spelled out. Shared with the bench."""

import re

_ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]  # fmt: skip
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def spell_number(number: int) -> str:
    """English words for 0 to 999,999 (what the reference transcripts need)."""
    if number < 20:
        return _ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return _TENS[tens] + (f" {_ONES[ones]}" if ones else "")
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {spell_number(rest)}" if rest else "")
    thousands, rest = divmod(number, 1000)
    return f"{spell_number(thousands)} thousand" + (f" {spell_number(rest)}" if rest else "")


def normalise(text: str) -> list[str]:
    """Lower case, ё as е, hyphens as spaces, punctuation dropped, digits spelled out."""
    text = text.lower().replace("ё", "е")
    text = re.sub(r"[-‐‑–—]", " ", text)
    text = re.sub(r"[^\w\s]", "", text)
    words: list[str] = []
    for word in text.split():
        words.extend(spell_number(int(word)).split() if word.isdigit() and len(word) <= 6 else [word])
    return words


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    previous = list(range(len(hypothesis) + 1))
    for row, ref_word in enumerate(reference, 1):
        current = [row]
        for column, hyp_word in enumerate(hypothesis, 1):
            current.append(
                min(previous[column] + 1, current[column - 1] + 1, previous[column - 1] + (ref_word != hyp_word))
            )
        previous = current
    return previous[-1]


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(errors, reference words), to sum over clips before dividing."""
    ref_words = normalise(reference)
    return edit_distance(ref_words, normalise(hypothesis)), len(ref_words)


def word_error_rate(pairs: list[tuple[str, str]]) -> float:
    """Total errors over total reference words, for (reference, hypothesis) pairs."""
    errors = words = 0
    for reference, hypothesis in pairs:
        clip_errors, clip_words = word_errors(reference, hypothesis)
        errors += clip_errors
        words += clip_words
    return errors / words if words else 0.0


def character_error_rate(pairs: list[tuple[str, str]]) -> float:
    """Like word_error_rate over characters of the normalised text: fairer where a word is merely split."""
    errors = characters = 0
    for reference, hypothesis in pairs:
        ref_chars = list(" ".join(normalise(reference)))
        errors += edit_distance(ref_chars, list(" ".join(normalise(hypothesis))))
        characters += len(ref_chars)
    return errors / characters if characters else 0.0
