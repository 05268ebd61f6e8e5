"""`parrot chat` with the default model: taught in one language, it answers the same questions in the other."""

from pathlib import Path

from tests.integration.local.test_chat_process import chat

WEATHER, MUSIC, ALARM, JOKE, TIME = "It is sunny.", "Playing music.", "Alarm set.", "Knock knock.", "It is noon."
ENGLISH = {
    WEATHER: ["what is the weather like today", "will it rain tomorrow", "is it cold outside"],
    MUSIC: ["play some music", "put on a song", "I want to listen to jazz"],
    ALARM: ["wake me up at seven", "set an alarm for 6 am", "set my alarm"],
    JOKE: ["tell me a joke", "say something funny", "make me laugh"],
    TIME: ["what time is it", "tell me the time", "what's the time now"],
}
RUSSIAN = {
    WEATHER: ["какая сегодня погода", "завтра будет дождь?", "на улице холодно?"],
    MUSIC: ["включи музыку", "поставь песню", "хочу послушать джаз"],
    ALARM: ["разбуди меня в семь", "поставь будильник на шесть утра", "заведи будильник"],
    JOKE: ["расскажи анекдот", "скажи что-нибудь смешное", "рассмеши меня"],
    TIME: ["который час", "скажи, сколько времени", "сколько сейчас времени"],
}
# Paraphrases, not the translations of the training examples.
RUSSIAN_QUESTIONS = {
    WEATHER: "сегодня будет солнечно?",
    MUSIC: "сыграй что-нибудь весёлое",
    ALARM: "мне нужен будильник",
    JOKE: "знаешь какую-нибудь шутку?",
    TIME: "подскажи время",
}
ENGLISH_QUESTIONS = {
    WEATHER: "how warm is it outside",
    MUSIC: "play a tune for me",
    ALARM: "I need an alarm clock",
    JOKE: "do you know any jokes?",
    TIME: "do you have the time?",
}


def _train_line(examples: dict[str, list[str]]) -> str:
    return "!train " + "\\n".join(f"{text} => {answer}" for answer, texts in examples.items() for text in texts)


def _answers(taught: dict[str, list[str]], asked: dict[str, str], data_root: Path) -> list[str]:
    done = chat([_train_line(taught), *asked.values()], data_root)
    assert done.returncode == 0, done.stderr
    assert "Training `train-1` done: model version 1 (hybrid)" in done.stdout, done.stdout
    replies = [line.removeprefix("parrot> ") for line in done.stdout.splitlines() if line.startswith("parrot> ")]
    assert "Traceback" not in done.stderr
    return replies[-len(asked) :]


def test_a_model_taught_in_english_answers_russian_questions(tmp_path: Path) -> None:
    assert _answers(ENGLISH, RUSSIAN_QUESTIONS, tmp_path) == list(RUSSIAN_QUESTIONS)


def test_a_model_taught_in_russian_answers_english_questions(tmp_path: Path) -> None:
    assert _answers(RUSSIAN, ENGLISH_QUESTIONS, tmp_path) == list(ENGLISH_QUESTIONS)
