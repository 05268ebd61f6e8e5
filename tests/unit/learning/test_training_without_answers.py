"""Data without answers: training says so and how to add them, and `!correct` on a named intent gives its answer."""

from domain.spaces import Space
from support.app import AppHarness

GUILD = Space(guild_id=1)  # type: ignore[arg-type]
NO_ANSWERS = (
    "text,intent\n"
    "my card still hasn't arrived,card_arrival\n"
    "when will my card arrive,card_arrival\n"
    "i lost my card,lost_card\n"
    "my card is lost,lost_card\n"
    "how do i top up,top_up\n"
    "top up my account,top_up\n"
    "can i change my pin,change_pin\n"
    "how to change pin,change_pin\n"
)


async def train_on(app: AppHarness, filename: str, data: str) -> str:
    attachment = app.discord.attachment(filename, data.encode(), "text/csv")
    message = await app.discord.say("!train", attachments=(attachment,))
    await app.settle()
    return app.discord.replies_to(message)[0].current_text


async def test_training_on_data_without_answers_warns_and_says_how_to_add_them(app: AppHarness) -> None:
    done = await train_on(app, "banking.csv", NO_ANSWERS)
    assert done.startswith("Training `train-1` done: model version 1")
    assert (
        "\nWarning: 4 of 4 intents have no answer, so I can only reply with their name "
        "(`card_arrival`, `change_pin`, `lost_card`, ...)."
    ) in done
    assert "add an `answer` column (in JSON, an `answer` field) to the data and train again" in done
    assert "reply to such a reply with `!correct THE ANSWER`" in done
    question = await app.discord.say("my card still hasn't arrived")
    assert app.discord.replies_to(question)[0].text == "That sounds like `card_arrival`."


async def test_data_with_an_answer_for_every_intent_trains_without_a_warning(app: AppHarness) -> None:
    answered = "text,intent,answer\n" + "".join(
        f"{line},{line.split(',')[1].title()}.\n" for line in NO_ANSWERS.splitlines()[1:]
    )
    done = await train_on(app, "banking.csv", answered)
    assert done.endswith("It answers from now on.")
    assert "Warning" not in done and "no answer" not in done


async def test_some_intents_without_an_answer_are_counted(app: AppHarness) -> None:
    lines = NO_ANSWERS.splitlines()
    partly = "text,intent,answer\n" + "".join(
        f"{line},{'Five days.' if 'card_arrival' in line else ''}\n" for line in lines[1:]
    )
    done = await train_on(app, "banking.csv", partly)
    assert "Warning: 3 of 4 intents have no answer" in done
    assert "`card_arrival`" not in done


async def test_a_correction_of_a_named_intent_becomes_its_answer_at_the_next_training(app: AppHarness) -> None:
    await train_on(app, "banking.csv", NO_ANSWERS)
    asked = await app.discord.say("my card still hasn't arrived")
    reply_id = app.discord.replies_to(asked)[0].message_id
    corrected = await app.discord.say("!correct Cards arrive within five days.", reply_to=reply_id)
    thanks = app.discord.replies_to(corrected)[0].text
    assert thanks.endswith("it will be part of the next `!train`, where it becomes the answer of `card_arrival`.")
    (stored,) = app.stores["feedback_log"].corrections[GUILD]
    assert stored.answers_intent == "card_arrival"

    retrain = await app.discord.say("!train")  # the kept dataset, with the correction
    await app.settle()
    done = app.discord.replies_to(retrain)[0].current_text
    assert "Warning: 3 of 4 intents have no answer" in done
    trained = app.backend.trained[-1]
    assert trained.answers["card_arrival"] == "Cards arrive within five days."
    assert {e.answer for e in trained.examples if e.intent == "card_arrival"} == {"Cards arrive within five days."}
    # Another way of asking the same thing, never corrected itself, now gets the answer.
    other = await app.discord.say("when will my card arrive")
    assert app.discord.replies_to(other)[0].text == "Cards arrive within five days."


async def test_a_correction_of_an_answered_reply_names_no_intent(app: AppHarness) -> None:
    await app.discord.say("!train when do you open => At nine.\nopening hours => At nine.\nbye => Bye!\nciao => Bye!")
    await app.settle()
    asked = await app.discord.say("opening hours")
    await app.discord.say("!correct At ten.", reply_to=app.discord.replies_to(asked)[0].message_id)
    (stored,) = app.stores["feedback_log"].corrections[GUILD]
    assert stored.answers_intent is None
