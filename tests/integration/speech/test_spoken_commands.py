"""Commands in a spoken reply are heard: a starter answer said by the voice `auto` picks for its language (Piper
for English, Festival for Russian), heard back by Whisper. The text sent to the voice is checked for every starter
answer in tests/unit/adapters/test_spoken_words.py.
"""

import pytest

from adapters.datasets.starter import read_starter
from adapters.speech.festival import FestivalTextToSpeech
from adapters.speech.piper import PiperTextToSpeech
from adapters.speech.whisper import WhisperSpeechToText
from adapters.spoken_words import spoken_words
from domain.catalogue import BY_NAME
from domain.spoken_text import spoken_text
from domain.text import with_commands

pytestmark = pytest.mark.slow


def starter_answer(intent: str) -> str:
    return next(e.answer for e in read_starter().examples if e.intent == intent and e.answer)


async def test_an_english_answer_s_commands_are_heard_back(
    piper: PiperTextToSpeech, whisper: WhisperSpeechToText
) -> None:
    said = spoken_text(spoken_words(with_commands(starter_answer("instructions_en"), BY_NAME), "!", "en"))
    heard = (await whisper.transcribe(await piper.synthesize(said, "en"), "en")).text.lower()
    # Before, the voice said "sends my instructions file, and lists every command": the commands were gaps.
    assert heard.count("exclamation") >= 2, heard
    assert "instruction" in heard and "help" in heard, heard


async def test_a_russian_answer_s_commands_are_heard_back(
    festival: FestivalTextToSpeech, whisper: WhisperSpeechToText
) -> None:
    said = spoken_text(spoken_words(with_commands(starter_answer("instructions_ru"), BY_NAME), "!", "ru"))
    heard = (await whisper.transcribe(await festival.synthesize(said, "ru"), "ru")).text.lower()
    # Each command is announced as a sentence that stands on its own: "восклицательный знак ..." (three of them).
    assert heard.count("восклицательный знак") >= 2, heard
    assert "инструкци" in heard and "команд" in heard, heard
