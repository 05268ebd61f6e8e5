"""Issue 12's conveniences through the bus, with in-memory fakes: settings, privacy, forget me, teachable replies."""

import pytest

from domain.messages import ReplyAction
from domain.spaces import Space
from support.app import AppHarness
from support.scripted_discord import member

GUILD = Space(guild_id=1)  # type: ignore[arg-type]
ADMIN = member(user_id=1, name="ada", admin=True)
GUEST = member(user_id=2, name="bob", admin=False)

TRAINING = "!train hello there => Hi!\nhello friend => Hi!\nbye now => Bye.\nbye friend => Bye."


async def answer(app: AppHarness, text: str, **kwargs: object) -> str:
    message = await app.discord.say(text, **kwargs)
    return app.discord.replies_to(message)[0].text


async def test_settings_are_shown_to_admins(app: AppHarness) -> None:
    text = await answer(app, "!settings", author=ADMIN)
    assert "- transcribe **on**" in text and "- voice **on**" in text
    assert "- languages **en ru** (configured)" in text and "- starter **off** (configured)" in text


async def test_settings_suggest_the_changes_that_can_be_made_from_here(app: AppHarness) -> None:
    text = await answer(app, "!settings", author=ADMIN)
    assert "`!settings transcribe off`, `!settings voice off`," in text and "`!settings starter on`." in text
    assert "the languages I hear in voice messages.\n" in text
    await answer(app, "!settings voice off", author=ADMIN)
    await answer(app, "!settings starter on", author=ADMIN)
    text = await answer(app, "!settings", author=ADMIN)
    assert "`!settings voice on`," in text and "`!settings starter off`." in text


@pytest.mark.parametrize(
    "change",
    ["", "transcribe off", "voice on", "languages en ru", "languages default", "starter on", "colour blue"],
)
async def test_every_settings_command_is_refused_to_a_member_without_the_right(app: AppHarness, change: str) -> None:
    text = await answer(app, f"!settings {change}".strip(), author=GUEST)
    assert text == "`!settings` needs the Manage Server permission."
    assert app.stores["space_settings"].settings == {}


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ("transcribe", "`!settings transcribe` takes `on` or `off`."),
        ("transcribe maybe", "`!settings transcribe` takes `on` or `off`, not `maybe`."),
        ("voice on off", "`!settings voice` takes `on` or `off`, not `on off`."),
        ("starter 1", "`!settings starter` takes `on` or `off`, not `1`."),
        ("languages", "Name the languages to hear, for example `!settings languages en ru`."),
        ("languages en klingon", "`klingon` is not a language I can hear; use codes like `en` or `ru`."),
        ("languages en ../ru", "`../ru` is not a language I can hear; use codes like `en` or `ru`."),
        ("languages en ru de fr es it", "At most 5 languages: detection gets slower and less sure past that."),
        (
            "colour blue",
            "I have no setting `colour`. The settings are: transcribe, voice, languages, starter, voicelog.",
        ),
    ],
)
async def test_invalid_settings_are_refused_with_the_reason_and_nothing_is_saved(
    app: AppHarness, change: str, refusal: str
) -> None:
    assert await answer(app, f"!settings {change}", author=ADMIN) == refusal
    assert app.stores["space_settings"].settings == {}


async def test_valid_settings_are_saved_and_confirmed(app: AppHarness) -> None:
    store = app.stores["space_settings"]
    assert (await answer(app, "!settings transcribe off", author=ADMIN)).startswith("Saved. voice messages are not")
    assert (await answer(app, "!settings voice OFF", author=ADMIN)) == "Saved. I stay silent in voice channels."
    assert (await answer(app, "!settings languages ru-RU EN ru", author=ADMIN)) == "Saved. I hear ru en here now."
    assert (await answer(app, "!settings starter on", author=ADMIN)).startswith("Saved. `!train` keeps my starter")
    saved = await store.load(GUILD)
    assert (saved.transcribe_voice, saved.spoken_replies, saved.languages, saved.keep_starter) == (
        False,
        False,
        ("ru", "en"),
        True,
    )
    await answer(app, "!settings languages default", author=ADMIN)
    await answer(app, "!settings starter default", author=ADMIN)
    saved = await store.load(GUILD)
    assert saved.languages == () and saved.keep_starter is None and not saved.transcribe_voice
    other = await store.load(Space(guild_id=2))  # type: ignore[arg-type]
    assert other.transcribe_voice and other.spoken_replies


async def test_transcription_off_leaves_voice_messages_alone(app: AppHarness) -> None:
    await answer(app, "!settings transcribe off", author=ADMIN)
    clip = app.discord.attachment("v.ogg", b"speech:hello", "audio/ogg", voice_message=True)
    message = await app.discord.say("", attachments=(clip,))
    assert app.discord.replies_to(message) == [] and app.discord.fetched == []
    with_words = await app.discord.say("hello there", attachments=(clip,))
    assert app.discord.replies_to(with_words)[0].text.startswith("I haven't been taught")
    assert app.discord.fetched == []
    await answer(app, "!settings transcribe on", author=ADMIN)
    again = await app.discord.say("", attachments=(clip,))
    assert app.discord.replies_to(again)[0].text == "🎙️ I heard: hello"


async def test_voice_off_keeps_replies_out_of_the_voice_channel(app: AppHarness) -> None:
    await app.discord.say(TRAINING, author=ADMIN)
    await app.settle()
    await answer(app, "!settings voice off", author=ADMIN)
    await app.discord.say("hello there", voice_channel_id=55)
    await app.settle()
    assert app.tts.spoken == []
    await answer(app, "!settings voice on", author=ADMIN)
    await app.discord.say("hello there", voice_channel_id=55)
    await app.settle()
    assert [text for text, _ in app.tts.spoken] == ["Hi!"]


async def test_privacy_says_what_is_kept_where_and_for_how_long(app: AppHarness) -> None:
    text = await answer(app, "!privacy", author=GUEST)
    for words in ("`!feedback`", "`!correct`", "in memory only", "never saved", "until an admin", "`!forget me`"):
        assert words in text


async def test_help_lists_the_new_commands(app: AppHarness) -> None:
    text = await answer(app, "!help")
    assert "`!privacy`" in text and "`!forget me`" in text and "`!settings [transcribe on|off" in text
    assert "Transcribe" in text and "Teach me" in text


async def test_an_unsure_reply_is_teachable_and_a_sure_one_is_not(app: AppHarness) -> None:
    untrained = await app.discord.say("hello there")
    assert app.discord.replies_to(untrained)[0].actions == ()  # nothing to guess from: nothing to teach
    await app.discord.say(TRAINING, author=ADMIN)
    await app.settle()
    sure = await app.discord.say("hello there")
    assert app.discord.replies_to(sure)[0].actions == ()
    unsure = await app.discord.say("what is the weather")
    (reply,) = app.discord.replies_to(unsure)
    assert reply.text.startswith("I'm not sure") and reply.actions == (ReplyAction.TEACH,)


async def test_forget_me_forgets_the_caller_only_here_and_in_direct_messages(app: AppHarness) -> None:
    await app.discord.say(TRAINING, author=ADMIN)
    await app.settle()
    log = app.stores["feedback_log"]
    people = (
        (GUEST, "where is the station", "Turn left.", "tell me a joke"),
        (ADMIN, "what is the weather", "Sunny.", "sing me a song"),
    )
    for author, question, correction, unsure in people:
        await app.discord.say("!feedback nice", author=author)
        await app.discord.say(question, author=author)
        await app.discord.say(f"!correct {correction}", author=author)
        await app.discord.say(unsure, author=author)  # an unsure message, still remembered
    assert (await answer(app, "where is the station", author=ADMIN)) == "Turn left."
    await app.discord.say("!feedback in private", author=GUEST, guild_id=None, channel_id=99)
    refused = await answer(app, "!forget", author=GUEST)
    assert refused == "I can only forget the one who asks: type `!forget me` to delete what I keep about you."
    done = await answer(app, "!forget me", author=GUEST)
    assert done.startswith(
        "Done: I deleted what I kept about you in this server and in our direct messages: 2 feedback messages, "
        "1 correction, 1 unsure message, 2 remembered exchanges."
    )
    dm = Space(guild_id=None, dm_user_id=GUEST.id)
    assert [f.author_id for f in log.feedback[GUILD]] == [ADMIN.id] and log.feedback[dm] == []
    assert [c.author_id for c in log.corrections[GUILD]] == [ADMIN.id]
    assert [u.author_id for u in app.container.learning.uncertain().least_sure(GUILD, 10)] == [ADMIN.id]
    # The correction the guest taught no longer answers; the admin's still does.
    assert (await answer(app, "what is the weather", author=GUEST)) == "Sunny."
    assert (await answer(app, "where is the station", author=ADMIN)).startswith("I'm not sure")
    nothing = await answer(app, "!correct Rainy.", author=GUEST, reply_to=None, channel_id=77)
    assert nothing.startswith("There is nothing to correct")
    again = await answer(app, "!forget me", author=GUEST)
    assert "0 feedback messages, 0 corrections, 0 unsure messages, 1 remembered exchange." in again


async def test_the_languages_setting_is_what_the_recogniser_is_told(app: AppHarness) -> None:
    clip = app.discord.attachment("v.ogg", b"speech:privet", "audio/ogg", voice_message=True)
    await app.discord.say("", attachments=(clip,))
    await answer(app, "!settings languages ru", author=ADMIN)
    await app.discord.say("", attachments=(clip,))
    await answer(app, "!settings languages en", author=ADMIN)
    await app.discord.say("", attachments=(clip,))
    await answer(app, "!settings languages ru en de", author=ADMIN)
    await app.discord.say("", attachments=(clip,))
    await answer(app, "!settings languages default", author=ADMIN)
    await app.discord.say("", attachments=(clip,))
    # None: detected among the space's languages (by default `speech.languages`, English and Russian).
    assert app.stt.languages == [None, "ru", "en-US", None, None]
    assert app.stt.among == [(), (), (), ("ru", "en", "de"), ()]  # (): the recogniser's own, `speech.languages`


async def test_the_starter_setting_decides_whether_train_keeps_the_starter(app: AppHarness) -> None:
    await app.discord.say(TRAINING, author=ADMIN)
    await app.settle()
    await answer(app, "!settings starter on", author=ADMIN)
    await app.discord.say(TRAINING, author=ADMIN)
    await app.settle()
    await answer(app, "!settings starter off", author=ADMIN)
    await app.discord.say(TRAINING, author=ADMIN)
    await app.settle()
    replaced, kept, replaced_again = (len(dataset.examples) for dataset in app.backend.trained[-3:])
    assert replaced == replaced_again == 4 and kept > 4
