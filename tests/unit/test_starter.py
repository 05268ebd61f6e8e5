"""Starter knowledge through the bus, with the fake model backend standing in for the starter's backend."""

from pathlib import Path

from application.starter import with_starter
from domain.training import Dataset, Example
from tests.app import AppHarness, build_app

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
