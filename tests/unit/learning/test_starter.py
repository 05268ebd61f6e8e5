"""Starter knowledge through the bus, with the fake model backend standing in for the starter's backend."""

from pathlib import Path

from application.jobs.executor import JobExecutor
from application.learning.starter import StarterKnowledge, with_starter
from application.ports.model import TrainedArtifact
from application.ports.work import TrainJob
from domain.errors import BackendUnavailable
from domain.training import Dataset, Example
from support.app import AppHarness, build_app
from support.fakes import (
    FakeCodec,
    FakeModelBackend,
    FakeSpeechToText,
    FakeTextToSpeech,
    FakeWorkQueue,
)

TEACH = "hello => Hi there!\nhi => Hi there!\nbye => See you!\nciao => See you!"


def starter_app(tmp_path: Path, **model: object) -> AppHarness:
    return build_app(tmp_path, model={"starter_backend": "embedded", **model})


async def test_an_untrained_space_answers_from_the_starter_in_the_language_of_the_question(tmp_path: Path) -> None:
    app = starter_app(tmp_path)
    hello = await app.discord.say("hello")
    privet = await app.discord.say("привет")
    assert app.discord.replies_to(hello)[0].text.startswith("Hello! I'm Parrot.")
    assert app.discord.replies_to(privet)[0].text.startswith("Привет! Я Parrot.")
    # Trained once, then shared by every space.
    other = await app.discord.say("hello", guild_id=2)
    assert app.discord.replies_to(other)[0].text.startswith("Hello! I'm Parrot.")
    assert [dataset.name for dataset in app.backend.trained] == ["starter"]


async def test_model_shows_the_starter_until_a_training_replaces_it(tmp_path: Path) -> None:
    app = starter_app(tmp_path)
    before = await app.discord.say("!model")
    assert "Active: the **starter** model" in app.discord.replies_to(before)[0].text
    await app.discord.say(f"!train {TEACH}")
    await app.settle()
    trained = app.backend.trained[-1]
    assert trained.name != "starter" and not any(e.intent.endswith("_en") for e in trained.examples)
    hello = await app.discord.say("hello")
    assert app.discord.replies_to(hello)[0].text == "Hi there!"
    after = await app.discord.say("!model")
    text = app.discord.replies_to(after)[0].text
    assert "**(active)**" in text and "**starter**" not in text


async def test_train_with_starter_keeps_the_starter_knowledge(tmp_path: Path) -> None:
    app = starter_app(tmp_path)
    await app.discord.say(f"!train --with-starter {TEACH}")
    await app.settle()
    trained = app.backend.trained[-1]
    assert trained.name.endswith(" + starter")
    assert {"greeting_ru", "oos_en"} <= set(trained.intents)
    privet = await app.discord.say("привет")
    assert app.discord.replies_to(privet)[0].text.startswith("Привет! Я Parrot.")


async def test_the_keep_starter_setting_keeps_it_on_every_training(tmp_path: Path) -> None:
    app = starter_app(tmp_path, keep_starter=True)
    await app.discord.say(f"!train {TEACH}")
    await app.settle()
    assert "greeting_en" in app.backend.trained[-1].intents


async def test_with_the_starter_disabled_an_untrained_space_says_so(tmp_path: Path) -> None:
    app = starter_app(tmp_path, starter=False)
    message = await app.discord.say("hello")
    assert app.discord.replies_to(message)[0].text.startswith("I haven't been taught anything yet")
    models = await app.discord.say("!model")
    assert "**starter**" not in app.discord.replies_to(models)[0].text
    assert app.backend.trained == []


def test_the_servers_own_examples_and_answers_win_over_the_starters() -> None:
    own = Dataset("faq", (Example("hello", "hi"), Example("hey", "hi")), {"hi": "Hi there!"})
    starter = Dataset(
        "starter",
        (Example("Hello!", "greeting_en"), Example("good morning", "greeting_en"), Example("пока", "goodbye_ru")),
        {"greeting_en": "Hello! I'm Parrot.", "goodbye_ru": "Пока!"},
    )
    merged = with_starter(own, starter)
    assert merged.name == "faq + starter"
    assert [(e.text, e.intent) for e in merged.examples] == [
        ("hello", "hi"),
        ("hey", "hi"),
        ("good morning", "greeting_en"),
        ("пока", "goodbye_ru"),
    ]
    assert merged.answers == {"hi": "Hi there!", "greeting_en": "Hello! I'm Parrot.", "goodbye_ru": "Пока!"}


async def test_a_failed_starter_build_says_not_taught_yet_and_is_retried_later(tmp_path: Path) -> None:
    app = starter_app(tmp_path)
    app.backend.fail_with = BackendUnavailable("The training process stopped unexpectedly (out of memory?).")
    first = await app.discord.say("hello")
    assert app.discord.replies_to(first)[0].text.startswith("I haven't been taught anything yet")
    app.backend.fail_with = None
    again = await app.discord.say("hello")  # within the retry interval: not built again at once
    assert app.discord.replies_to(again)[0].text.startswith("I haven't been taught anything yet")
    assert app.backend.trained == []


class OneDataset:
    def __init__(self, dataset: Dataset) -> None:
        self.dataset_value = dataset

    async def dataset(self) -> Dataset:
        return self.dataset_value


class MemoryCache:
    def __init__(self) -> None:
        self.saved: dict[str, TrainedArtifact] = {}

    async def load(self, key: str) -> TrainedArtifact | None:
        return self.saved.get(key)

    async def save(self, key: str, artifact: TrainedArtifact) -> None:
        self.saved[key] = artifact


async def test_the_starter_is_built_once_cached_and_retried_after_a_failure() -> None:
    dataset = Dataset("starter", (Example("hi", "greeting_en"), Example("bye", "goodbye_en")), {"greeting_en": "Hi"})
    backend, cache = FakeModelBackend(name="tfidf"), MemoryCache()
    work = FakeWorkQueue(JobExecutor(FakeCodec(), FakeSpeechToText(), FakeTextToSpeech(), {"tfidf": backend}))
    backend.fail_with = BackendUnavailable("down")
    starter = StarterKnowledge(OneDataset(dataset), cache, backend, work, retry_seconds=0.0)
    assert await starter.model() is None and cache.saved == {}
    backend.fail_with = None
    model = await starter.model()
    assert model is not None and await starter.model() is model
    assert list(cache.saved) == [f"{dataset.content_hash}-tfidf"] and len(backend.trained) == 1
    # Trained through the work port (on a worker when the queue is Redis), as any training is.
    assert work.jobs == [TrainJob(dataset, "tfidf"), TrainJob(dataset, "tfidf")]  # the failed try, then the build
    # A new process finds the cached artifact: nothing is trained again.
    again = StarterKnowledge(OneDataset(dataset), cache, backend, work)
    assert await again.model() is not None and len(backend.trained) == 1 and len(work.jobs) == 2
    assert not StarterKnowledge(OneDataset(dataset), cache, None, work).enabled


async def test_without_the_starter_a_russian_question_is_told_in_russian_that_nothing_was_taught(
    tmp_path: Path,
) -> None:
    app = starter_app(tmp_path, starter=False)
    message = await app.discord.say("привет")
    text = app.discord.replies_to(message)[0].text
    assert text.startswith("Меня ещё ничему не научили") and "`!train`" in text and "`!help`" in text


async def test_an_unsure_answer_is_in_the_language_of_the_question(tmp_path: Path) -> None:
    app = starter_app(tmp_path, starter=False)
    await app.discord.say(f"!train {TEACH}")
    await app.settle()
    english = await app.discord.say("tell me a joke")
    russian = await app.discord.say("расскажи анекдот")
    assert app.discord.replies_to(english)[0].text == (
        "I'm not sure how to answer that. If you know the right answer, teach me: `!correct <the answer>`."
    )
    assert app.discord.replies_to(russian)[0].text == (
        "Я не знаю, как на это ответить. Если вы знаете правильный ответ, научите меня: `!correct <ответ>`."
    )


async def test_the_starters_answers_write_commands_with_the_configured_prefix(tmp_path: Path) -> None:
    app = build_app(tmp_path, model={"starter_backend": "embedded"}, discord={"prefix": "?"})
    english = await app.discord.say("what can you do?")
    russian = await app.discord.say("что ты умеешь?")
    privacy = await app.discord.say("how do I delete my data")
    for message in (english, russian):
        text = app.discord.replies_to(message)[0].text
        assert "`?train`" in text and "`?correct`" in text and "`?help`" in text
        assert "`!" not in text  # no command is written with the default prefix
    assert "`?forget me`" in app.discord.replies_to(privacy)[0].text


async def test_train_status_says_the_starter_is_active_until_a_training_replaces_it(tmp_path: Path) -> None:
    app = starter_app(tmp_path)
    before = await app.discord.say("!train status")
    assert "Active model: the starter" in app.discord.replies_to(before)[0].text
    await app.discord.say(f"!train {TEACH}")
    await app.settle()
    after = await app.discord.say("!train status")
    assert app.discord.replies_to(after)[0].text.endswith("Active model: version 1.")
    off = starter_app(tmp_path / "off", starter=False)
    status = await off.discord.say("!train status")
    assert off.discord.replies_to(status)[0].text.endswith("No model is active yet.")
