"""What the voice says for Parrot's own text: every command and name said in words, nothing dropped."""

import re

import pytest

from adapters.datasets.starter import read_starter
from adapters.spoken_words import spoken_words
from domain.catalogue import BY_NAME
from domain.ids import ChannelId
from domain.spoken_text import spoken_text
from domain.text import ChannelRef, Code, CommandRef, say, with_commands

_STARTER = read_starter()
_ANSWERS = sorted({(example.intent, example.answer) for example in _STARTER.examples if example.answer})
_COMMANDS_IN_ANSWERS = sorted({(intent, a) for intent, a in _ANSWERS if "`!" in a})


def said(text: object, language: str, prefix: str = "!") -> str:
    return spoken_text(spoken_words(text, prefix, language))  # type: ignore[arg-type]


def test_a_command_is_said_with_its_prefix_in_words() -> None:
    text = say(
        "Admins can teach me with ", CommandRef("train"), "; anyone can fix an answer with ", CommandRef("correct"), "."
    )
    assert said(text, "en-US") == (
        "Admins can teach me with exclamation mark train; anyone can fix an answer with exclamation mark correct."
    )
    assert said(text, "ru") == (
        "Admins can teach me with восклицательный знак train; "
        "anyone can fix an answer with восклицательный знак correct."
    )


def test_the_configured_prefix_is_said() -> None:
    assert said(say("Try ", CommandRef("help train"), "."), "en", prefix="?") == "Try question mark help train."
    assert said(say("Try ", CommandRef("help"), "."), "en", prefix="p!") == "Try p exclamation mark help."


def test_names_underscores_placeholders_and_arrows_are_said_as_words() -> None:
    assert said(say("That sounds like ", Code("card_arrival"), "."), "en") == "That sounds like card arrival."
    assert said(say("Use ", CommandRef("select_dataset faq.csv"), "."), "en") == (
        "Use exclamation mark select underscore dataset faq.csv."
    )
    assert said("Fix it with `!correct <the answer>`.", "en") == "Fix it with exclamation mark correct the answer."
    assert said("write `question => answer` lines", "en") == "write question arrow answer lines"
    assert said("строки `вопрос => ответ`", "ru") == "строки вопрос стрелка ответ"


def test_a_channel_is_named_and_code_blocks_are_still_skipped() -> None:
    assert said(say("Ask in ", ChannelRef(ChannelId(5)), "."), "en") == "Ask in the channel."
    assert said("Run this:\n```\nrm -rf /\n```\ndone.", "en") == "Run this:\ndone."


@pytest.mark.parametrize(("intent", "answer"), _COMMANDS_IN_ANSWERS, ids=[i for i, _ in _COMMANDS_IN_ANSWERS])
def test_every_command_in_a_starter_answer_is_heard(intent: str, answer: str) -> None:
    language = "ru" if intent.endswith("_ru") else "en"
    spoken = said(with_commands(answer, BY_NAME), language)
    prefix = "восклицательный знак" if language == "ru" else "exclamation mark"
    for name in re.findall(r"`!([a-z_]+)", answer):
        assert f"{prefix} {name.replace('_', ' underscore ')}" in spoken, (name, spoken)
    assert "`" not in spoken and "  " not in spoken


@pytest.mark.parametrize(("intent", "answer"), _ANSWERS, ids=[i for i, _ in _ANSWERS])
def test_no_starter_answer_loses_a_word_when_spoken(intent: str, answer: str) -> None:
    """Every word the chat shows (code included) is heard, in the order it is written."""
    language = "ru" if intent.endswith("_ru") else "en"
    spoken = said(with_commands(answer, BY_NAME), language)
    written = re.findall(r"\w+", answer.replace("_", " "))
    heard = re.findall(r"\w+", spoken.replace("_", " "))
    position = 0
    for word in written:
        assert word in heard[position:], (word, spoken)
        position = heard.index(word, position) + 1
