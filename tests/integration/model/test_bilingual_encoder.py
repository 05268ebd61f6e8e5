"""The bilingual encoders put English and Russian of the same meaning together: trained in one, it answers the other."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from adapters.model.embedded import EmbeddedBackend
from domain.training import Dataset, Example

ENGLISH = {
    "weather": ["what is the weather like today", "will it rain tomorrow", "is it cold outside"],
    "music": ["play some music", "put on a song", "I want to listen to jazz"],
    "alarm": ["wake me up at seven", "set an alarm for 6 am", "set my alarm"],
}
RUSSIAN = {
    "weather": ["какая сегодня погода", "завтра будет дождь?"],
    "music": ["включи музыку", "поставь песню"],
    "alarm": ["разбуди меня в семь", "поставь будильник на шесть утра"],
}


def _dataset(examples: dict[str, list[str]]) -> Dataset:
    return Dataset("bilingual", tuple(Example(text, intent) for intent, texts in examples.items() for text in texts))


async def _answers(
    train: dict[str, list[str]], ask: dict[str, list[str]], encoder: str = "e5"
) -> list[tuple[str, str]]:
    with ThreadPoolExecutor(1) as pool:
        backend = EmbeddedBackend(pool=pool, encoder=encoder)
        model = await backend.load(await backend.train(_dataset(train), lambda fraction, stage: None))
        texts = [(text, intent) for intent, items in ask.items() for text in items]
        predictions = await model.predict_many([text for text, _ in texts])
    return [(prediction.intent, intent) for prediction, (_, intent) in zip(predictions, texts, strict=True)]


async def test_a_model_trained_in_english_answers_russian() -> None:
    answers = await _answers(ENGLISH, RUSSIAN)
    assert [got for got, _ in answers] == [want for _, want in answers]


async def test_a_model_trained_in_russian_answers_english() -> None:
    answers = await _answers(RUSSIAN, ENGLISH)
    assert [got for got, _ in answers] == [want for _, want in answers]


@pytest.mark.parametrize("encoder", ["use", "minilm+use"])
async def test_the_use_encoders_answer_across_languages_both_ways(encoder: str) -> None:
    for train, ask in ((ENGLISH, RUSSIAN), (RUSSIAN, ENGLISH)):
        answers = await _answers(train, ask, encoder)
        assert [got for got, _ in answers] == [want for _, want in answers]
