"""Choosing a language by the script a text is written in."""

import pytest

from domain.scripts import language_of_text, written_in_cyrillic


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Привет! Я Parrot.", True),
        ("Hello, I'm Parrot.", False),
        ("`!train` научит меня", True),
        ("1234 !?", None),
        ("", None),
    ],
)
def test_the_script_of_most_letters_decides(text: str, expected: bool | None) -> None:
    assert written_in_cyrillic(text) is expected


def test_the_first_configured_language_of_that_script_is_chosen() -> None:
    assert language_of_text("Привет", ("en", "ru")) == "ru"
    assert language_of_text("Hello", ("en", "ru")) == "en"
    assert language_of_text("Hello", ("ru",)) is None
    assert language_of_text("Hallo", ("de", "en")) == "de"
    assert language_of_text("42", ("en", "ru")) is None
