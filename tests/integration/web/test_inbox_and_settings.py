"""The review page's inbox across a restart, thumbs-downs in it, `forget me` over it, and every chat setting."""

import json
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from aiohttp.web import Application, Request

from domain import commands
from domain.ids import ChannelId, MessageId
from domain.speech import AudioClip
from support import records
from support.scripted_discord import member
from support.web_harness import build_web
from tests.integration.web.test_pages import TRAINING, Site, taught

SPACE = "guild-1"


def private(data_root: Path) -> bool:
    """The database (and so its write-ahead log, which takes its mode) is its owner's alone."""
    return stat.S_IMODE((data_root / "parrot.db").stat().st_mode) == 0o600


def kept(data_root: Path, table: str) -> str:
    """Everything the space's rows of `table` hold, as one text to search."""
    return json.dumps(records.rows(data_root, table, SPACE), default=str, ensure_ascii=False)


@pytest.fixture
async def data_root(tmp_path: Path) -> Path:
    return tmp_path / "data"


async def open_site(
    data_root: Path, web_settings: dict[str, Any] | None = None, model_settings: dict[str, Any] | None = None
) -> tuple[Site, TestClient[Request, Application]]:
    web = build_web(data_root, in_memory=False, web_settings=web_settings, model_settings=model_settings)
    client = TestClient(TestServer(web.app))
    await client.start_server()
    return Site(web, client), client


@pytest.fixture
async def site(data_root: Path) -> AsyncIterator[Site]:
    opened, client = await open_site(data_root)
    try:
        yield opened
    finally:
        await client.close()
        await opened.web.harness.settle()


async def test_the_inbox_and_its_ignored_marks_survive_a_restart(site: Site, data_root: Path) -> None:
    await site.sign_in()
    await taught(site)
    assert "Ignored 1 message" in await site.act("/g/1/inbox/ignore", {"text": "where do you live"})
    assert private(data_root)
    await site.client.close()
    # A new process on the same data root: nothing said since, yet the inbox is as it was.
    again, client = await open_site(data_root)
    try:
        await again.sign_in()
        waiting = await again.page("/g/1/inbox")
        assert "what is the weather today" in waiting and "1 similar" in waiting
        assert "teach me: <code>!correct &lt;the answer&gt;</code>." in waiting  # the reply's parts, kept
        assert "where do you live" not in waiting
        assert "where do you live" in await again.page("/g/1/inbox?state=ignored")
    finally:
        await client.close()
        await again.web.harness.settle()


async def test_the_stored_inbox_keeps_only_the_newest_entries(data_root: Path) -> None:
    site, client = await open_site(data_root, web_settings={"inbox_size": 10})
    try:
        await site.sign_in()
        await site.chat(TRAINING)
        for number in range(25):
            await site.chat(f"question number {number} about zebras {number * 7}")
        stored = records.texts(data_root, "review_items", SPACE)
        assert len(stored) <= 20
        assert "question number 24 about zebras 168" in stored and "question number 0 about zebras 0" not in stored
    finally:
        await client.close()
        await site.web.harness.settle()
    again, client = await open_site(data_root, web_settings={"inbox_size": 10})
    try:
        await again.sign_in()
        page = await again.page("/g/1/inbox?state=")
        assert page.count('name="text"') == 10  # the ten newest, back from the database
        assert "question number 24 about" in page and "question number 15 about" in page
        assert "question number 14 about" not in page
    finally:
        await client.close()
        await again.web.harness.settle()


async def test_a_thumbs_down_shows_in_the_inbox_and_forget_me_removes_it_for_good(site: Site, data_root: Path) -> None:
    await site.sign_in()
    await site.chat(TRAINING)
    discord = site.web.harness.discord
    bob = member(5, "bob", admin=False)
    question = await discord.say("hello", author=bob)
    reply = discord.replies_to(question)[-1]
    assert reply.current_text == "Hi!"  # a sure answer: not in the inbox until someone dislikes it
    assert "“hello”" not in await site.page("/g/1/inbox")
    rater = member(6, "carol", admin=False)
    reaction = discord.message("", author=rater, reply_to=reply.message_id)
    await site.web.harness.container.bus().handle(commands.RateReply(reaction, reply_id=reply.message_id))
    page = await site.page("/g/1/inbox")
    assert "“hello”" in page and "thumbs-down" in page and "Parrot said: Hi!" in page
    assert "“hello”" in await site.page("/g/1/inbox?reason=thumbs-down")
    assert "“hello”" not in await site.page("/g/1/inbox?reason=unsure")
    assert "A filter was not understood" in await site.page("/g/1/inbox?reason=bogus")
    data = await site.page("/g/1/data")
    assert "thumbs-down on “Hi!”, the answer to “hello”" in data and "member 6" in data
    assert [row["author_id"] for row in records.rows(data_root, "thumbs_down", SPACE)] == [6]
    assert private(data_root)
    # A thumbs-down on something that is not a reply Parrot remembers records nothing.
    unknown = discord.message("", author=rater)
    await site.web.harness.container.bus().handle(commands.RateReply(unknown, reply_id=MessageId(999_999)))
    assert len(records.rows(data_root, "thumbs_down", SPACE)) == 1

    forget = await discord.say("!forget me", author=rater)
    assert "Also deleted: 1 thumbs-down." in discord.replies_to(forget)[-1].current_text
    assert records.rows(data_root, "thumbs_down", SPACE) == []
    assert "“hello”" not in await site.page("/g/1/inbox?state=")
    assert "No thumbs-down yet" in await site.page("/g/1/data")
    assert "hello" not in kept(data_root, "review_items")


async def test_forget_me_removes_the_callers_unsure_messages_from_the_stored_inbox(site: Site, data_root: Path) -> None:
    await site.sign_in()
    await site.chat(TRAINING)
    discord = site.web.harness.discord
    await discord.say("what is the weather", author=member(5, "bob", admin=False))
    await discord.say("where do you live", author=member(6, "carol", admin=False))
    forget = await discord.say("!forget me", author=member(5, "bob", admin=False))
    assert "1 unsure message" in discord.replies_to(forget)[-1].current_text
    stored = kept(data_root, "review_items")
    assert "where do you live" in stored and "weather" not in stored
    page = await site.page("/g/1/inbox")
    assert "where do you live" in page and "weather" not in page


async def test_assigning_an_intent_without_an_answer_is_refused(site: Site) -> None:
    await site.sign_in()
    await taught(site)
    page = await site.page("/g/1/inbox")
    assert '<option value="hi">' in page and '<option value="see_you">' in page  # the intents with answers
    refused = await site.act("/g/1/inbox/assign", {"text": "where do you live", "intent": "weather"})
    assert "no answer for the intent “weather”" in refused and 'class="flash error"' in refused
    assert "where do you live" in await site.page("/g/1/inbox")  # still waiting
    assert "not sure" in await site.chat("where do you live")  # nothing was taught


async def test_settings_page_shows_and_changes_every_chat_setting(site: Site, data_root: Path) -> None:
    await site.sign_in()
    page = await site.page("/g/1/settings")
    for label in ("Transcribe voice messages", "Speak replies", "Languages heard", "Keep the starter knowledge"):
        assert label in page
    saved = await site.act(
        "/g/1/settings", {"transcribe": "off", "voice": "off", "languages": "en ru-RU", "starter": "on"}
    )
    for confirmation in ("Saved.", "not transcribed unless someone asks", "I stay silent", "I hear en ru here now"):
        assert confirmation in saved, confirmation
    assert 'value="en ru"' in saved and "<option selected>off</option>" in saved
    stored = records.settings(data_root, SPACE)
    assert stored is not None
    assert (stored["transcribe_voice"], stored["spoken_replies"], stored["languages"], stored["keep_starter"]) == (
        False,
        False,
        ["en", "ru"],
        True,
    )
    # The chat sees what the page set.
    shown = await site.chat("!settings")
    assert "transcribe **off**" in shown and "languages **en ru**" in shown and "starter **on**" in shown
    # Refused as the chat refuses it, the reason on the page; nothing else changes.
    assert "Nothing changed." in await site.act("/g/1/settings", {"voice": "off"})  # no languages field: kept
    refused = await site.act("/g/1/settings", {"languages": "klingon"})
    assert 'class="flash error"' in refused and "is not a language I can hear" in refused
    assert (records.settings(data_root, SPACE) or {})["languages"] == ["en", "ru"]
    back = await site.act("/g/1/settings", {"languages": "default", "starter": "default"})
    assert "I hear the configured languages again" in back and "(configured)" in back
    again = await site.act(
        "/g/1/settings", {"transcribe": "off", "voice": "off", "languages": "", "starter": "default"}
    )
    assert "Nothing changed." in again


async def test_settings_page_switches_the_voice_log(site: Site, data_root: Path) -> None:
    await site.sign_in()
    assert "Keep what is heard and answered in voice channels" in await site.page("/g/1/settings")
    saved = await site.act("/g/1/settings", {"voicelog": "on"})
    assert "Saved." in saved and "kept as text" in saved
    assert (records.settings(data_root, SPACE) or {})["keep_voice_transcripts"] == 1  # SQLite's true
    assert "voicelog **on**" in await site.chat("!settings")
    assert "Nothing changed." in await site.act("/g/1/settings", {"voicelog": "on"})


async def test_the_data_page_lists_the_kept_voice_transcripts(site: Site) -> None:
    await site.sign_in()
    assert "Not kept (<code>!settings voicelog</code> is off)" in await site.page("/g/1/data")
    await site.act("/g/1/settings", {"voicelog": "on"})
    assert "None kept yet" in await site.page("/g/1/data")
    harness = site.web.harness
    turn = harness.discord.message("", author=member(user_id=6, name="bob", admin=False), voice_channel_id=55)
    await harness.container.bus().handle(
        commands.HearUtterance(turn, audio=AudioClip(b"what's <new>", 16_000), voice_channel_id=ChannelId(55))
    )
    await harness.settle()
    data = await site.page("/g/1/data")
    # What was said is the member's own text: escaped like every other on the page.
    assert "member 6 in voice channel 55: “what&#39;s &lt;new&gt;”, answered “" in data


async def test_another_servers_settings_cannot_be_changed(site: Site, data_root: Path) -> None:
    await site.sign_in()
    form = {"csrf": site.csrf, "voice": "off"}
    response = await site.client.post("/g/2/settings", data=form, allow_redirects=False)
    assert response.status == 403
    assert records.settings(data_root, "guild-2") is None


async def test_an_answer_on_the_page_to_a_reply_that_only_named_its_intent_becomes_that_intents_answer(
    site: Site, data_root: Path
) -> None:
    await site.sign_in()
    discord = site.web.harness.discord
    bus = site.web.harness.container.bus()
    no_answers = (
        b"text,intent\nmy card still hasn't arrived,card_arrival\nwhen will my card arrive,card_arrival\n"
        b"i lost my card,lost_card\nmy card is lost,lost_card\n"
    )
    await discord.say("!train", attachments=(discord.attachment("banking.csv", no_answers, "text/csv"),))
    await site.web.harness.settle()
    question = await discord.say("my card still hasn't arrived", author=member(5, "bob", admin=False))
    reply = discord.replies_to(question)[-1]
    assert reply.current_text == "That sounds like `card_arrival`."
    reaction = discord.message("", author=member(6, "carol", admin=False), reply_to=reply.message_id)
    await bus.handle(commands.RateReply(reaction, reply_id=reply.message_id))
    stored = records.rows(data_root, "review_items", SPACE)
    assert [(entry["reason"], bool(entry["unanswered"])) for entry in stored] == [("thumbs-down", True)]

    after = await site.act(
        "/g/1/inbox/answer", {"text": "my card still hasn't arrived", "answer": "Cards arrive within five days."}
    )
    assert "where it becomes the answer of <code>card_arrival</code>" in after
    assert [row["answers_intent"] for row in records.rows(data_root, "corrections", SPACE)] == ["card_arrival"]
    # As `!correct` of that reply in the chat: the next training gives the intent the answer, for every way of asking.
    await discord.say("!train")
    await site.web.harness.settle()
    other = await discord.say("when will my card arrive")
    assert discord.replies_to(other)[-1].current_text == "Cards arrive within five days."


async def test_an_answer_on_the_page_to_an_answered_reply_names_no_intent(site: Site, data_root: Path) -> None:
    await site.sign_in()
    await taught(site)
    after = await site.act("/g/1/inbox/answer", {"text": "where do you live", "answer": "In a cage."})
    assert "Thanks, noted." in after and "becomes the answer of" not in after
    assert [row["answers_intent"] for row in records.rows(data_root, "corrections", SPACE)] == [None]
