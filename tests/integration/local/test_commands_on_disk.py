"""Every text command through the fake-Discord driver, with the real storage: the database and files on disk."""

import os
import zipfile
from io import BytesIO
from pathlib import Path

from support import records
from support.app import AppHarness, build_app
from support.scripted_discord import member
from support.shared_data import PROJECT_ROOT


def space_dir(root: Path, guild: int = 1) -> Path:
    return root / "spaces" / f"guild-{guild}"


async def test_instruction_sends_the_shipped_instructions(disk_app: AppHarness) -> None:
    message = await disk_app.discord.say("!instruction")
    (reply,) = disk_app.discord.replies_to(message)
    assert reply.text.startswith("# Parrot: how to use me")


async def test_the_shipped_instructions_are_read_in_messages_with_every_example_whole(disk_app: AppHarness) -> None:
    disk_app.discord.sent.clear()
    await disk_app.discord.say("!instruction")
    texts = [sent.text for sent in disk_app.discord.sent]
    assert 2 <= len(texts) <= 3 and all(sent.file is None for sent in disk_app.discord.sent)
    assert all(len(text) <= 2000 and text.count("```") % 2 == 0 for text in texts)  # no code block cut in two
    whole = "\n\n".join(texts)
    assert whole == (PROJECT_ROOT / "adapters" / "config" / "instructions.md").read_text(encoding="utf-8").strip()
    assert "**Training files**" in whole and "```csv\ntext,intent,answer\n" in whole


async def test_getfile_sends_a_file_and_refuses_every_escape(disk_app: AppHarness, tmp_path: Path) -> None:
    root = tmp_path / "data"
    files = space_dir(root) / "files"
    files.mkdir(parents=True)
    (files / "menu.txt").write_text("soup")
    (tmp_path / "secret.txt").write_text("secret")
    (files / "escape").symlink_to(tmp_path)
    os.link(tmp_path / "secret.txt", files / "hard.txt")
    ok = await disk_app.discord.say("!getfile menu.txt")
    sent = disk_app.discord.replies_to(ok)[0].file
    assert sent is not None and sent.data == b"soup"
    for attempt, reason in [
        ("../../etc/passwd", "`..` is not allowed"),
        ("/etc/passwd", "absolute paths are not allowed"),
        ("escape/secret.txt", "through a link"),
        ("hard.txt", "it is a hard link"),
        ("..\\..\\secret.txt", "`..` is not allowed"),
    ]:
        message = await disk_app.discord.say(f"!getfile {attempt}")
        text = disk_app.discord.replies_to(message)[0].text
        assert text.startswith("I can't use the path") and reason in text, attempt
    other_guild = await disk_app.discord.say("!getfile menu.txt", guild_id=2)
    assert disk_app.discord.replies_to(other_guild)[0].text == "There is no file `menu.txt` here."


async def test_getfile_over_the_limit_is_refused(tmp_path: Path) -> None:
    app = build_app(tmp_path / "data", in_memory=False, limits={"file_mb": 0.001})
    files = space_dir(tmp_path / "data") / "files"
    files.mkdir(parents=True)
    (files / "big.bin").write_bytes(b"x" * 5000)
    message = await app.discord.say("!getfile big.bin")
    assert app.discord.replies_to(message)[0].text == "The file `big.bin` is too large: 5.0 KB, the limit is 1.0 KB."


async def test_archive_sends_a_zip_and_keeps_it(disk_app: AppHarness, tmp_path: Path) -> None:
    files = space_dir(tmp_path / "data") / "files"
    (files / "docs").mkdir(parents=True)
    (files / "docs" / "a.md").write_text("# A")
    message = await disk_app.discord.say("!archive files/docs")
    reply = disk_app.discord.replies_to(message)[0]
    assert reply.file is not None and reply.text.startswith("Archived `files/docs`")
    assert zipfile.ZipFile(BytesIO(reply.file.data)).namelist() == ["a.md"]
    assert (space_dir(tmp_path / "data") / "archives" / reply.file.filename).is_file()
    escape = await disk_app.discord.say("!archive ../guild-2")
    assert "`..` is not allowed" in disk_app.discord.replies_to(escape)[0].text


async def test_feedback_and_corrections_are_kept_in_the_database(disk_app: AppHarness, tmp_path: Path) -> None:
    await disk_app.discord.say("!feedback great bot", author=member(name="zed"))
    record = records.rows(tmp_path / "data", "feedback", "guild-1")[0]
    assert (record["text"], record["author_name"], record["guild_id"], record["channel_id"]) == (
        "great bot",
        "Zed",
        1,
        10,
    )
    await disk_app.discord.say("what is parrot")
    await disk_app.discord.say("!correct A bot that learns.")
    (correction,) = records.rows(tmp_path / "data", "corrections", "guild-1")
    assert correction["user_text"] == "what is parrot" and correction["correction"] == "A bot that learns."


async def test_the_selected_dataset_and_the_model_survive_a_restart(tmp_path: Path) -> None:
    root = tmp_path / "data"
    first = build_app(root, in_memory=False)
    faq = b"hi => Hello!\nhey => Hello!\nbye => Bye!\nciao => Bye!"
    await first.discord.say("!train", attachments=(first.discord.attachment("faq.txt", faq, "text/plain"),))
    await first.settle()
    await first.discord.say("!select_dataset faq.txt")
    second = build_app(root, in_memory=False)
    listing = await second.discord.say("!select_dataset")
    assert "`faq.txt` (51 bytes) **(selected)**" in second.discord.replies_to(listing)[0].text
    versions = await second.discord.say("!model")
    assert "- `1` " in second.discord.replies_to(versions)[0].text
    # The fake backend keeps models in memory, so a new process would load through the real store.
    (version,) = records.rows(root, "model_versions", "guild-1")
    assert version["number"] == 1 and (space_dir(root) / "models" / version["artifact"]).is_file()


async def test_guilds_never_see_each_others_data(disk_app: AppHarness) -> None:
    faq = b"hi => Hello!\nhey => Hello!\nbye => Bye!\nciao => Bye!"
    await disk_app.discord.say("!train", attachments=(disk_app.discord.attachment("faq.txt", faq),))
    await disk_app.settle()
    listing = await disk_app.discord.say("!select_dataset", guild_id=2)
    assert "There are no datasets yet" in disk_app.discord.replies_to(listing)[0].text
    select = await disk_app.discord.say("!select_dataset faq.txt", guild_id=2)
    assert disk_app.discord.replies_to(select)[0].text.startswith("There is no dataset `faq.txt`")
    models = await disk_app.discord.say("!model", guild_id=2)
    assert disk_app.discord.replies_to(models)[0].text.startswith("No model has been trained here yet")
    answer = await disk_app.discord.say("hey", guild_id=2)
    assert disk_app.discord.replies_to(answer)[0].text.startswith("I haven't been taught anything yet")


async def test_direct_messages_get_a_space_per_user(disk_app: AppHarness, tmp_path: Path) -> None:
    await disk_app.discord.say("!feedback from a dm", guild_id=None, author=member(user_id=7))
    assert records.texts(tmp_path / "data", "feedback", "dm-7") == ["from a dm"]


async def test_unknown_commands_and_missing_arguments_are_answered(disk_app: AppHarness) -> None:
    unknown = await disk_app.discord.say("!archiv files")
    assert "Did you mean `!archive`?" in disk_app.discord.replies_to(unknown)[0].text
    for text, usage in [("!getfile", "getfile PATH"), ("!archive", "archive DIRECTORY"), ("!correct", "correct TEXT")]:
        message = await disk_app.discord.say(text)
        assert disk_app.discord.replies_to(message)[0].text == f"Something is missing. Usage: `!{usage}`"


async def test_storage_that_cannot_be_written_gets_a_clear_reply_and_the_bot_carries_on(tmp_path: Path) -> None:
    root = tmp_path / "data"
    app = build_app(root, in_memory=False)
    space = space_dir(root)
    space.parent.mkdir(parents=True)
    space.write_text("not a directory")  # any write under the space now fails, as on a broken disk
    (root / "parrot.db").write_text("not a database")  # and so does every record kept in the database
    message = await app.discord.say("!feedback will not fit")
    assert app.discord.replies_to(message)[0].text.startswith("I could not save that: my storage is full")
    hello = await app.discord.say("!hi")
    assert app.discord.replies_to(hello)[0].text.startswith("Hi ")


async def test_a_backend_that_hangs_costs_one_reply_not_the_channel(tmp_path: Path) -> None:
    app = build_app(tmp_path, limits={"hearing_seconds": 0.2})
    app.stt.delay = 5.0
    clip = app.discord.attachment("slow.ogg", b"speech:hello", "audio/ogg")
    message = await app.discord.say("", attachments=(clip,))
    assert app.discord.replies_to(message)[0].text == (
        "Hearing that audio took too long (over 0.2 s); please try again later."
    )
    hello = await app.discord.say("!hi")
    assert app.discord.replies_to(hello)[0].text.startswith("Hi ")


async def test_direct_messages_can_be_turned_off(tmp_path: Path) -> None:
    app = build_app(tmp_path, discord={"allow_direct_messages": False})
    refused = await app.discord.say("!feedback hi", guild_id=None, author=member(user_id=8, admin=False))
    assert app.discord.replies_to(refused)[0].text == (
        "I only take messages in servers; please talk to me in a server's channel."
    )
    owner = await app.discord.say("!hi", guild_id=None, author=member(user_id=9, owner=True))
    assert app.discord.replies_to(owner)[0].text.startswith("Hi ")
    in_guild = await app.discord.say("!hi")
    assert app.discord.replies_to(in_guild)[0].text.startswith("Hi ")


async def test_forget_me_leaves_no_record_of_the_caller_on_disk_and_others_intact(
    disk_app: AppHarness, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    guest, other = member(user_id=7, name="zoe", admin=False), member(user_id=8, name="max", admin=False)
    admin = member(user_id=1, name="ada")
    await disk_app.discord.say("!train hello there => Hi!\nhello friend => Hi!\nbye now => Bye.\nbye friend => Bye.")
    await disk_app.settle()
    for author, secret in ((guest, "zebra-guest"), (other, "otter-other")):
        await disk_app.discord.say(f"!feedback {secret} likes it", author=author)
        await disk_app.discord.say(f"what about {secret}", author=author)
        await disk_app.discord.say(f"!correct {secret} answer", author=author)
    await disk_app.discord.say("!feedback zebra-guest in private", author=guest, guild_id=None, channel_id=70)
    await disk_app.discord.say("!feedback max in private", author=other, guild_id=None, channel_id=71)
    await disk_app.discord.say("!feedback ada was here", author=admin)
    others_before = {
        table: [row for row in records.rows(root, table, "guild-1") if row["author_id"] != 7]
        for table in ("feedback", "corrections")
    }
    message = await disk_app.discord.say("!forget me", author=guest)
    assert disk_app.discord.replies_to(message)[0].text.startswith(
        "Done: I deleted what I kept about you in this server and in our direct messages: 2 feedback messages, "
        "1 correction, "
    )
    # Not in the database, its write-ahead log, nor any other file: deleted records are overwritten too.
    every_file = [path for path in root.rglob("*") if path.is_file()]
    assert root / "parrot.db" in every_file
    for path in every_file:
        assert b"zebra-guest" not in path.read_bytes(), path
    for table, kept in others_before.items():
        assert records.rows(root, table, "guild-1") == kept
        assert kept and all(row["author_id"] != 7 for row in kept)
    assert any("otter-other" in text for text in records.texts(root, "feedback", "guild-1"))
    assert any("max in private" in text for text in records.texts(root, "feedback", "dm-8"))
    assert records.texts(root, "feedback", "dm-7") == []
    assert not list(root.rglob(".*.tmp"))
    # The other member's correction still answers at once; the guest's is gone.
    other_asks = await disk_app.discord.say("what about otter-other", author=other)
    assert disk_app.discord.replies_to(other_asks)[0].text == "otter-other answer"
