"""Reply, correct, train, test and model versions through the bus, with a fake model backend."""

import asyncio
from datetime import timedelta
from pathlib import Path

from application.ports.storage import SpaceSettings
from domain.errors import BackendUnavailable
from domain.messages import Author, Status
from domain.spaces import Space
from domain.training import Dataset, Example
from support.app import AppHarness, build_app
from support.fakes import FixedClock, KeywordModel
from support.scripted_discord import member

GUILD = Space(guild_id=1)  # type: ignore[arg-type]
FAQ = (
    "when do you open => We open at nine.\nopening hours => We open at nine.\n"
    "where are you => Main Street 1.\nyour address => Main Street 1."
)


async def train(app: AppHarness, data: str = FAQ) -> None:
    await app.discord.say(f"!train {data}")
    await app.settle()


async def test_without_a_model_the_bot_says_how_to_teach_it(app: AppHarness) -> None:
    message = await app.discord.say("what are your opening hours?")
    text = app.discord.replies_to(message)[0].text
    assert text.startswith("I haven't been taught anything yet")
    assert "`!train`" in text


async def test_the_bots_own_and_other_bots_messages_are_ignored(app: AppHarness) -> None:
    await app.discord.say("hello", author=member(user_id=99, name="otherbot", bot=True))
    assert app.discord.sent == []


async def test_training_inline_answers_and_reports_progress_in_one_message(app: AppHarness) -> None:
    message = await app.discord.say(f"!train {FAQ}")
    await app.settle()
    (progress,) = app.discord.replies_to(message)
    assert progress.text.startswith("Training `train-1` started on 4 examples, 2 intents (embedded).")
    assert progress.current_text.startswith(
        "Training `train-1` done: model version 1 (embedded), 4 examples, 2 intents."
    )
    assert (message.id, Status.DONE) in app.discord.statuses
    assert app.stores["space_settings"].settings[GUILD].active_model == 1
    question = await app.discord.say("opening hours?")
    assert app.discord.replies_to(question)[0].text == "We open at nine."


async def test_an_unsure_model_says_so_and_invites_a_correction(app: AppHarness) -> None:
    await train(app)
    message = await app.discord.say("tell me a joke")
    assert app.discord.replies_to(message)[0].text == (
        "I'm not sure how to answer that. If you know the right answer, teach me: `!correct <the answer>`."
    )


async def test_a_correction_applies_at_once_to_the_message_and_its_near_duplicates(app: AppHarness) -> None:
    await train(app)
    await app.discord.say("do you sell coffee beans")
    fixed = await app.discord.say("!correct Yes, 250 g bags.")
    assert 'From now on I answer "do you sell coffee beans"' in app.discord.replies_to(fixed)[0].text
    (stored,) = app.stores["feedback_log"].corrections[GUILD]
    assert (stored.user_text, stored.correction) == ("do you sell coffee beans", "Yes, 250 g bags.")
    assert stored.bot_reply.startswith("I'm not sure")
    again = await app.discord.say("Do you sell coffee beans?")
    assert app.discord.replies_to(again)[0].text == "Yes, 250 g bags."
    near = await app.discord.say("do you sell coffee beans now")
    assert app.discord.replies_to(near)[0].text == "Yes, 250 g bags."


async def test_corrections_are_capped_per_member_per_day(tmp_path: Path) -> None:
    app = build_app(tmp_path, limits={"corrections_per_member_per_day": 2})
    await train(app)
    bob = member(user_id=2, name="bob", admin=False)

    async def correct(text: str, author: Author) -> str:
        await app.discord.say(text, author=author)
        fixed = await app.discord.say(f"!correct the answer to {text}", author=author)
        return app.discord.replies_to(fixed)[0].text

    assert (await correct("first question", bob)).startswith("Thanks, noted.")
    assert (await correct("second question", bob)).startswith("Thanks, noted.")
    refused = await correct("third question", bob)
    assert refused.startswith("You have added 2 corrections here in the last 24 hours")
    assert [c.user_text for c in app.stores["feedback_log"].corrections[GUILD]] == ["first question", "second question"]
    for number in range(3):  # an admin is not capped: the review page answers its inbox in bulk
        assert (await correct(f"admin question {number}", member())).startswith("Thanks, noted.")
    clock = app.container.system.clock()
    assert isinstance(clock, FixedClock)
    clock.current += timedelta(days=1)
    assert (await correct("third question", bob)).startswith("Thanks, noted.")


async def test_correct_the_reply_a_user_replies_to(app: AppHarness) -> None:
    await train(app)
    first = await app.discord.say("where are you")
    await app.discord.say("opening hours")
    reply_id = app.discord.replies_to(first)[0].message_id
    await app.discord.say("!correct Main Street 2, since May.", reply_to=reply_id)
    (stored,) = app.stores["feedback_log"].corrections[GUILD]
    assert stored.user_text == "where are you"


async def test_correct_with_nothing_to_correct_is_explained(app: AppHarness) -> None:
    message = await app.discord.say("!correct nope")
    assert app.discord.replies_to(message)[0].text.startswith("There is nothing to correct")
    other = await app.discord.say("!correct x", reply_to=123456)
    assert "the message you replied to is not one I answered" in app.discord.replies_to(other)[0].text


async def test_corrections_join_the_next_training(app: AppHarness) -> None:
    await train(app)
    await app.discord.say("do you deliver")
    await app.discord.say("!correct Only in town.")
    await train(app)
    trained = app.backend.trained[-1]
    assert any(e.text == "do you deliver" and e.answer == "Only in town." for e in trained.examples)


async def test_train_without_data_uses_the_selected_dataset(app: AppHarness) -> None:
    message = await app.discord.say("!train")
    assert "choose a dataset first with `!select_dataset NAME`" in app.discord.replies_to(message)[0].text
    app.stores["datasets"].datasets[GUILD] = {"faq.txt": FAQ.encode()}
    await app.discord.say("!select_dataset faq.txt")
    await app.discord.say("!train")
    await app.settle()
    assert app.backend.trained[-1].name == "faq.txt"


async def test_an_attached_dataset_is_trained_on_and_kept(app: AppHarness) -> None:
    attachment = app.discord.attachment("shop.txt", FAQ.encode(), "text/plain")
    await app.discord.say("!train", attachments=(attachment,))
    await app.settle()
    assert app.backend.trained[-1].name == "shop.txt"
    assert app.stores["datasets"].datasets[GUILD]["shop.txt"] == FAQ.encode()


async def test_a_rejected_dataset_trains_nothing_and_says_why_by_line(app: AppHarness) -> None:
    message = await app.discord.say("!train hello => hi\nthis line has no arrow")
    text = app.discord.replies_to(message)[0].text
    # Typed lines are no file: the refusal names the command they followed, never `inline.txt`, and keeps the line.
    assert text.startswith("I couldn't use the lines you wrote after `!train`:")
    assert "line 2: expected `question => answer`" in text and "inline.txt" not in text
    assert app.backend.trained == []


async def test_typed_lines_too_few_to_train_on_are_refused_in_the_users_terms(app: AppHarness) -> None:
    message = await app.discord.say("!train hello => Hi!")
    text = app.discord.replies_to(message)[0].text
    assert text == (
        "I couldn't use the lines you wrote after `!train`:\n"
        "- “Hi!” has 1 way of asking (line 1); at least 2 are needed\n"
        "- at least two different answers are needed to train; found 1\n"
        "Write one `question => answer` a line. Each answer needs at least two ways of asking, and I need at least "
        "two different answers; for example, `!train` followed by these lines:\n"
        "`hello => Hi!`\n`hi there => Hi!`\n`bye => See you!`\n`see you later => See you!`"
    )
    assert app.backend.trained == []
    # The example it gives trains.
    example = await app.discord.say("!train hello => Hi!\nhi there => Hi!\nbye => See you!\nsee you later => See you!")
    await app.settle()
    assert app.discord.replies_to(example)[0].current_text.startswith("Training `train-1` done")


async def test_an_attached_files_refusal_still_names_the_file(app: AppHarness) -> None:
    attachment = app.discord.attachment("shop.txt", b"hello => Hi!\n", "text/plain")
    message = await app.discord.say("!train", attachments=(attachment,))
    await app.settle()  # an attachment is downloaded and read by the job
    text = app.discord.replies_to(message)[0].current_text
    assert "`shop.txt` was not used for training:" in text
    assert "intent 'hi' has 1 example (line 1); at least 2 are needed" in text


async def test_a_failed_training_leaves_the_active_model_untouched(app: AppHarness) -> None:
    await train(app)
    app.backend.fail_with = BackendUnavailable("The model backend is down.")
    message = await app.discord.say(f"!train {FAQ}")
    await app.settle()
    progress = app.discord.replies_to(message)[0]
    assert progress.current_text == (
        "Training `train-2` failed: The model backend is down. The active model is unchanged."
    )
    assert (message.id, Status.FAILED) in app.discord.statuses
    assert app.stores["space_settings"].settings[GUILD].active_model == 1
    question = await app.discord.say("opening hours")
    assert app.discord.replies_to(question)[0].text == "We open at nine."


async def test_one_training_per_space_at_a_time(app: AppHarness) -> None:
    app.backend.delay = 0.2
    await app.discord.say(f"!train {FAQ}")
    second = await app.discord.say(f"!train {FAQ}")
    assert "A train job (`train-1`) is already running here" in app.discord.replies_to(second)[0].text
    status = await app.discord.say("!train status")
    assert app.discord.replies_to(status)[0].text.startswith("`train-1` is running")
    other_guild = await app.discord.say(f"!train {FAQ}", guild_id=2)
    await app.settle()
    assert app.discord.replies_to(other_guild)[0].current_text.startswith("Training `train-2` done")


async def test_a_backend_option_without_a_name_is_refused_with_the_usage(app: AppHarness) -> None:
    message = await app.discord.say("!train --backend")
    assert app.discord.replies_to(message)[0].text == "Something is missing. Usage: `!train --backend NAME [data]`"


async def test_an_unknown_backend_is_refused_with_the_list(app: AppHarness) -> None:
    message = await app.discord.say(f"!train --backend nope {FAQ}")
    assert app.discord.replies_to(message)[0].text == "There is no model backend `nope`. Available: `embedded`."


async def test_model_versions_are_listed_and_switched_back(app: AppHarness) -> None:
    await train(app)
    await train(app, "hi => Hello!\nhey => Hello!\nbye => Bye!\nciao => Bye!")
    listing = await app.discord.say("!model")
    text = app.discord.replies_to(listing)[0].text
    assert "- `1` " in text and "- `2` " in text and text.index("**(active)**") > text.index("- `2` ")
    assert (await app.discord.say("hey"), app.discord.last.text)[1] == "Hello!"
    switched = await app.discord.say("!model use 1")
    assert app.discord.replies_to(switched)[0].text == "Model version 1 is now active."
    question = await app.discord.say("opening hours")
    assert app.discord.replies_to(question)[0].text == "We open at nine."
    missing = await app.discord.say("!model use 7")
    assert app.discord.replies_to(missing)[0].text == "There is no model version 7 here."
    bad = await app.discord.say("!model use latest")
    assert app.discord.replies_to(bad)[0].text == "Give the version number to use, for example `!model use 2`."


async def test_test_on_given_data_reports_and_attaches_the_confusion_matrix(app: AppHarness) -> None:
    await train(app)
    message = await app.discord.say("!test opening hours => We open at nine.\nyour address => Main Street 1.")
    await app.settle()
    report = [sent for sent in app.discord.sent if sent.file is not None][-1]
    assert report.file is not None and report.file.filename == "confusion.png"
    assert "Accuracy: 100.0%" in report.text
    assert app.stores["model_store"].reports[-1][1] == 1
    assert app.discord.replies_to(message)[0].current_text.startswith("Testing `test-2` done (model version 1)")


async def test_test_without_data_cross_validates_the_selected_dataset(app: AppHarness) -> None:
    app.stores["datasets"].datasets[GUILD] = {"faq.txt": FAQ.encode()}
    await app.discord.say("!select_dataset faq.txt")
    await app.discord.say("!test")
    await app.settle()
    report = [sent for sent in app.discord.sent if sent.file is not None][-1]
    assert "2-fold cross-validation" in report.text
    assert app.stores["model_store"].reports[-1][1] is None


async def test_test_with_nothing_to_test_gives_its_own_usage_not_trains(app: AppHarness) -> None:
    message = await app.discord.say("!test")
    assert app.discord.replies_to(message)[0].text == (
        "Something is missing. Usage: `!test [attached file | question => answer lines]` "
        "or choose a dataset first with `!select_dataset NAME`"
    )


async def test_test_without_a_model_is_explained(app: AppHarness) -> None:
    message = await app.discord.say("!test hi => hello")
    assert "There is no trained model to test yet" in app.discord.replies_to(message)[0].text


async def test_a_plain_train_retrains_on_the_last_data_with_the_corrections(app: AppHarness) -> None:
    await train(app)
    assert app.stores["space_settings"].settings[GUILD].active_dataset == "inline.txt"
    await app.discord.say("can I park there")
    await app.discord.say("!correct Yes, behind the shop.")
    await app.discord.say("!train")
    await app.settle()
    retrained = app.backend.trained[-1]
    assert retrained.name == "inline.txt"
    assert len(retrained.examples) == 5
    assert any(e.text == "can I park there" and e.answer == "Yes, behind the shop." for e in retrained.examples)


async def test_a_deleted_progress_message_gets_the_outcome_anew_and_the_dataset_is_still_selected(
    app: AppHarness,
) -> None:
    app.backend.delay = 0.1
    message = await app.discord.say(f"!train {FAQ}")
    while not app.discord.replies_to(message):  # the job posts its progress message once it runs
        await asyncio.sleep(0.01)
    (progress,) = app.discord.replies_to(message)
    app.discord.deleted.add(progress.message_id)  # someone deletes the bot's progress message
    await app.settle()
    first, outcome = app.discord.replies_to(message)
    assert first is progress and progress.edits == []
    assert outcome.text.startswith("Training `train-1` done: model version 1")
    assert (message.id, Status.DONE) in app.discord.statuses
    settings = app.stores["space_settings"].settings[GUILD]
    assert (settings.active_model, settings.active_dataset) == (1, "inline.txt")


async def test_a_model_without_answers_names_the_intent_in_the_language_of_the_question(app: AppHarness) -> None:
    # Data labelled with intents but no answers (a CSV of text and intent): the intent is the answer there is.
    examples = (
        Example("hello there", "greeting"),
        Example("привет всем", "greeting"),
        Example("bye now", "goodbye"),
        Example("пока всем", "goodbye"),
    )
    app.container.learning.active_models().put(GUILD, 1, KeywordModel(Dataset("labels", examples, {}), threshold=0.5))
    await app.stores["space_settings"].save(GUILD, SpaceSettings(active_model=1))
    english = await app.discord.say("hello there")
    russian = await app.discord.say("привет всем")
    assert app.discord.replies_to(english)[0].text == "That sounds like `greeting`."
    assert app.discord.replies_to(russian)[0].text == "Похоже, это `greeting`."
