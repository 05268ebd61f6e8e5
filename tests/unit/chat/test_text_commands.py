"""Each text command through the bus, with in-memory fakes of every port."""

import re

from domain.messages import Status
from domain.spaces import Space
from support.app import AppHarness
from support.scripted_discord import member

GUILD = Space(guild_id=1)  # type: ignore[arg-type]


async def test_hi_greets_the_user_by_name(app: AppHarness) -> None:
    message = await app.discord.say("!hi", author=member(name="bob"))
    (reply,) = app.discord.replies_to(message)
    assert reply.text.startswith("Hi Bob!")
    assert "!help" in reply.text


async def test_help_lists_every_command_and_explains_one(app: AppHarness) -> None:
    message = await app.discord.say("!help")
    text = app.discord.replies_to(message)[0].text
    for name in ("hi", "join", "leave", "train", "test", "archive", "select_dataset", "instruction", "getfile"):
        assert f"`!{name}" in text
    assert "`!correct TEXT`" in text and "`!feedback" in text
    one = await app.discord.say("!help getfile")
    assert app.discord.replies_to(one)[0].text.startswith("`!getfile PATH` (admins only)")


async def test_every_command_that_help_mentions_carries_the_prefix(app: AppHarness) -> None:
    # A command named inside a summary is one the user types: shown as typed, with this chat's prefix.
    listing = app.discord.replies_to(await app.discord.say("!help"))[0].text
    assert "Choose the dataset `!train` uses" in listing and "admins list it with `!feedback list`" in listing
    spans = set(re.findall(r"`([^`]+)`", listing))
    assert {span for span in spans if not span.startswith("!")} == {"question => answer", "--with-starter"}
    one = app.discord.replies_to(await app.discord.say("!help select_dataset"))[0].text
    assert one == (
        "`!select_dataset [NAME]` (admins only)\nChoose the dataset `!train` uses; without a name, list the datasets."
    )


async def test_an_unknown_command_suggests_the_closest(app: AppHarness) -> None:
    message = await app.discord.say("!feedbak nice")
    assert app.discord.replies_to(message)[0].text == (
        "I don't know the command `!feedbak`. Did you mean `!feedback`? Type `!help` for the list."
    )


async def test_join_needs_the_caller_in_a_voice_channel(app: AppHarness) -> None:
    refused = await app.discord.say("!join")
    assert app.discord.replies_to(refused)[0].text == "Join a voice channel first, then ask me again."
    joined = await app.discord.say("!join", voice_channel_id=77)
    assert app.discord.voice == {1: 77}
    assert "Joined <#77>" in app.discord.replies_to(joined)[0].text
    left = await app.discord.say("!leave")
    assert app.discord.voice == {}
    assert app.discord.replies_to(left)[0].text == "Left the voice channel."
    again = await app.discord.say("!leave")
    assert app.discord.replies_to(again)[0].text == "I'm not in a voice channel here."


async def test_join_in_a_direct_message_is_explained(app: AppHarness) -> None:
    message = await app.discord.say("!join", guild_id=None, voice_channel_id=77)
    assert "servers only" in app.discord.replies_to(message)[0].text


async def test_instruction_sends_the_instructions_file(app: AppHarness) -> None:
    message = await app.discord.say("!instruction")
    assert app.discord.replies_to(message)[0].text == "# Instructions\nSay `!hi`."


async def test_long_instructions_go_as_a_file(app: AppHarness) -> None:
    app.stores["instructions"].text = "word " * 1000
    message = await app.discord.say("!instruction")
    (reply,) = app.discord.replies_to(message)
    assert reply.file is not None and reply.file.filename == "instructions.md"


async def test_getfile_sends_a_file_from_the_space(app: AppHarness) -> None:
    app.stores["vault"].put(GUILD, "notes/a.txt", b"hello")
    message = await app.discord.say("!getfile notes/a.txt")
    (reply,) = app.discord.replies_to(message)
    assert reply.file is not None and reply.file.data == b"hello" and reply.file.filename == "a.txt"


async def test_getfile_refusals(app: AppHarness) -> None:
    missing = await app.discord.say("!getfile")
    assert app.discord.replies_to(missing)[0].text == "Something is missing. Usage: `!getfile PATH`"
    escape = await app.discord.say("!getfile ../../etc/passwd")
    assert "I can't use the path `../../etc/passwd`" in app.discord.replies_to(escape)[0].text
    app.stores["vault"].put(GUILD, "big.bin", b"x" * 9_000_000)
    big = await app.discord.say("!getfile big.bin")
    assert app.discord.replies_to(big)[0].text == "The file `big.bin` is too large: 9.0 MB, the limit is 8.0 MB."
    assert (big.id, Status.FAILED) in app.discord.statuses


async def test_privileged_commands_are_refused_to_members_without_the_permission(app: AppHarness) -> None:
    guest = member(user_id=2, name="guest", admin=False)
    for text in ("!getfile a", "!archive files", "!select_dataset x", "!train a => b", "!test", "!model"):
        message = await app.discord.say(text, author=guest)
        reply = app.discord.replies_to(message)[0].text
        assert "needs the Manage Server permission" in reply, text


async def test_a_configured_role_grants_the_privileged_commands(tmp_path: object) -> None:
    from support.app import build_app

    app = build_app(tmp_path, fake_work=True, discord={"privileged_roles": ["trainer"]})  # type: ignore[arg-type]
    refused = await app.discord.say("!model", author=member(user_id=3, admin=False))
    assert "one of the roles `trainer`" in app.discord.replies_to(refused)[0].text
    allowed = await app.discord.say("!model", author=member(user_id=4, admin=False, roles=frozenset({"trainer"})))
    assert app.discord.replies_to(allowed)[0].text.startswith("No model has been trained here yet")


async def test_archive_sends_the_zip_of_a_directory(app: AppHarness) -> None:
    app.stores["vault"].put(GUILD, "files/a.txt", b"A")
    message = await app.discord.say("!archive files")
    (reply,) = app.discord.replies_to(message)
    assert reply.file is not None and reply.file.filename == "files.zip"
    missing = await app.discord.say("!archive")
    assert app.discord.replies_to(missing)[0].text == "Something is missing. Usage: `!archive DIRECTORY`"


async def test_select_dataset_lists_selects_and_refuses_unknown_names(app: AppHarness) -> None:
    empty = await app.discord.say("!select_dataset")
    assert "There are no datasets yet" in app.discord.replies_to(empty)[0].text
    app.stores["datasets"].datasets[GUILD] = {"faq.txt": b"a => b", "shop.csv": b"x"}
    listing = await app.discord.say("!select_dataset")
    assert "- `faq.txt` (6 bytes)" in app.discord.replies_to(listing)[0].text
    chosen = await app.discord.say("!select_dataset faq.txt")
    assert app.discord.replies_to(chosen)[0].text.startswith("Selected `faq.txt`.")
    assert app.stores["space_settings"].settings[GUILD].active_dataset == "faq.txt"
    listing = await app.discord.say("!select_dataset")
    assert "`faq.txt` (6 bytes) **(selected)**" in app.discord.replies_to(listing)[0].text
    unknown = await app.discord.say("!select_dataset ../other-guild/faq.txt")
    assert app.discord.replies_to(unknown)[0].text.startswith("There is no dataset `../other-guild/faq.txt`.")


async def test_feedback_is_stored_with_its_author_and_place(app: AppHarness) -> None:
    message = await app.discord.say("!feedback great bot", author=member(user_id=9, name="zed"), channel_id=12)
    assert app.discord.replies_to(message)[0].text == "Thank you for the feedback, Zed! It is kept."
    (stored,) = app.stores["feedback_log"].feedback[GUILD]
    assert (stored.text, stored.author_id, stored.author_name, stored.guild_id, stored.channel_id) == (
        "great bot",
        9,
        "Zed",
        1,
        12,
    )
    assert stored.created_at.year == 2026


async def test_feedback_refusals(app: AppHarness) -> None:
    empty = await app.discord.say("!feedback")
    assert app.discord.replies_to(empty)[0].text == "Something is missing. Usage: `!feedback TEXT | feedback list`"
    long = await app.discord.say("!feedback " + "x" * 2001)
    assert "limited to 2000 characters" in app.discord.replies_to(long)[0].text
    assert GUILD not in app.stores["feedback_log"].feedback


async def test_feedback_list_shows_feedback_and_the_least_sure_messages(app: AppHarness) -> None:
    await app.discord.say("!feedback more jokes please")
    await app.discord.say("!train hello there => Hi!\ngood morning => Hi!\nwhat time is it => Noon.\nthe hour => Noon.")
    await app.settle()
    await app.discord.say("completely unrelated words")
    listing = await app.discord.say("!feedback list")
    text = app.discord.replies_to(listing)[0].text
    assert "Alice: more jokes please" in text
    assert '"completely unrelated words"' in text
    guest = await app.discord.say("!feedback list", author=member(user_id=5, admin=False))
    assert "needs the Manage Server permission" in app.discord.replies_to(guest)[0].text


async def test_a_file_that_is_not_audio_is_answered_with_what_to_do(app: AppHarness) -> None:
    licence = app.discord.attachment("LICENSE", b"MIT License\n", "text/plain")
    alone = await app.discord.say("", attachments=(licence,))
    assert [reply.text for reply in app.discord.replies_to(alone)] == [
        "I can only hear audio files, so I didn't read `LICENSE`. To train me on a file, send it with `!train`."
    ]
    assert app.discord.fetched == []
    with_words = await app.discord.say("hello there", attachments=(licence,))
    note, answer = app.discord.replies_to(with_words)
    assert note.text.startswith("I can only hear audio files, so I didn't read `LICENSE`.")
    assert answer.text.startswith("I haven't been taught")
    russian = await app.discord.say("привет", attachments=(licence,))
    assert app.discord.replies_to(russian)[0].text.startswith(
        "Я слышу только аудиофайлы, поэтому `LICENSE` не прочитал."
    )


async def test_an_audio_file_is_not_mistaken_for_an_unread_one(app: AppHarness) -> None:
    clip = app.discord.attachment("v.ogg", b"speech:hello", "audio/ogg", voice_message=True)
    message = await app.discord.say("", attachments=(clip,))
    heard, answer = app.discord.replies_to(message)
    assert heard.text == "🎙️ I heard: hello" and answer.text.startswith("I haven't been taught")


async def test_feedback_list_shows_what_an_unsure_guess_would_have_said(app: AppHarness) -> None:
    await app.discord.say("!train hello there => Hi!\ngood morning => Hi!\nwhat time is it => Noon.\nthe hour => Noon.")
    await app.settle()
    await app.discord.say("what is the weather")
    listing = await app.discord.say("!feedback list")
    text = app.discord.replies_to(listing)[0].text
    assert "(answer one with `!correct <the answer>` replying to my reply):" in text
    assert "- " in text and '"what is the weather": I would have said "' in text
    assert "I guessed" not in text


async def test_feedback_list_names_an_answerless_guess_without_its_language_suffix(app: AppHarness) -> None:
    # Data without answers: the intent's name is all there is, shown as people read it (not `goodbye_ru`).
    app.container.learning.uncertain().record(GUILD, "ну, пока", "goodbye_ru", 0.2)
    listing = await app.discord.say("!feedback list")
    text = app.discord.replies_to(listing)[0].text
    assert '"ну, пока": I guessed `goodbye`' in text
    assert "goodbye_ru" not in text
