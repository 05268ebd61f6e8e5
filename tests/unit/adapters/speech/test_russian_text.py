"""The text a Russian voice is given: Latin words in Cyrillic, abbreviations in words, nothing it would refuse."""

import pytest

from adapters.speech.festival import scheme_string, speakable
from adapters.speech.russian_text import cyrillic, normalise_russian


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("Я Parrot, бот для Discord.", "Я паррот, бот для дискорд."),
        ("восклицательный знак help", "восклицательный знак хелп"),
        ("кнопкой Teach me", "кнопкой тич ми"),
        ("и т.д. и т. п., т.е. всё", "и так далее и тому подобное, то есть всё"),
        ("напр. так", "например так"),
        ("5% и №3", "5 процентов и  номер 3"),
        ("Wi-Fi", "вайфай"),
        ("Привет! 9 часов.", "Привет! 9 часов."),  # Festival reads digits itself
    ],
)
def test_russian_text_is_rewritten_for_the_voice(written: str, said: str) -> None:
    assert normalise_russian(written) == said


def test_an_unknown_latin_word_is_spelt_in_cyrillic() -> None:
    assert cyrillic("Smith") == "смит"
    assert cyrillic("Charlie") == "чарлие"
    assert all("а" <= letter <= "я" for letter in cyrillic("Quizzaciously"))


def test_an_abbreviation_inside_a_word_is_left_alone() -> None:
    assert normalise_russian("смотрите млнк") == "смотрите млнк"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Привет, как дела?", "Привет, как дела?"),
        ("«Ёлки» — палки…", "Ёлки палки."),
        ("да ! нет", "да! нет"),
        ("вопрос; ответ: да", "вопрос, ответ, да"),  # Festival ends a sentence at ";" and ":"
        ("с 9., где", "с 9, где"),
        ('a\\b "q" (x) )))', "a b q x"),
        ("онлайн-сервис и rock'n'roll", "онлайн-сервис и rock'n'roll"),
        ("café naïve", "cafe naive"),
        ("ёж и йод", "ёж и йод"),  # decomposed, they would lose their marks
        ("日本 😀 ї 2+2", "2 2"),
        ("!!! ...", ""),
    ],
)
def test_speakable_keeps_words_and_one_pause_mark_after_each(text: str, said: str) -> None:
    assert speakable(text) == said


def test_a_scheme_string_is_one_well_formed_literal() -> None:
    assert scheme_string('он сказал "да" \\ нет') == '"он сказал \\"да\\" \\\\ нет"'
    assert scheme_string("строка\nдругая\x00") == '"строка другая "'
