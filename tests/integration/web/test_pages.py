"""The review page over the real application: every page and action, and every refusal."""

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer
from aiohttp.web import Application, Request

from adapters.web.sessions import COOKIE, Identity
from domain.ids import GuildId
from domain.spaces import Space
from support import records
from support.web_harness import ALPHA, BETA, WebHarness, build_web

TRAINING = "!train hello => Hi!\nhi there => Hi!\nbye => See you!\ngoodbye => See you!"
GOOD_DATASET = (
    b"when do you open => At nine.\nopening hours => At nine.\nwho are you => A parrot.\nyour name => A parrot.\n"
)


@dataclass
class Site:
    web: WebHarness
    client: TestClient[Request, Application]
    csrf: str = ""

    async def sign_in(self, identity: Identity | None = None) -> str:
        who = identity or Identity(7, "Ada", (ALPHA,))
        response = await self.client.get(self.web.login_link(who), allow_redirects=False)
        assert response.status == 303
        session = self.web.context.sessions.decode(response.cookies[COOKIE].value)
        assert session is not None
        self.csrf = session.csrf
        return self.csrf

    async def page(self, path: str, status: int = 200) -> str:
        response = await self.client.get(path, allow_redirects=False)
        text = await response.text()
        assert response.status == status, text
        return text

    async def act(self, path: str, fields: dict[str, str | list[str]], *, csrf: bool = True) -> str:
        """Post a form as the page does, and return the page the redirect leads to (with its message)."""
        form = FormData()
        if csrf:
            form.add_field("csrf", self.csrf)
        for name, value in fields.items():
            for item in value if isinstance(value, list) else [value]:
                form.add_field(name, item)
        response = await self.client.post(path, data=form, allow_redirects=False)
        assert response.status == 303, await response.text()
        return await self.page(response.headers["Location"])

    async def chat(self, text: str) -> str:
        discord = self.web.harness.discord
        message = await discord.say(text)
        await self.web.harness.settle()
        return discord.replies_to(message)[-1].current_text


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    web = build_web(tmp_path / "data", in_memory=False)
    client = TestClient(TestServer(web.app))
    await client.start_server()
    try:
        yield Site(web, client)
    finally:
        await client.close()
        await web.harness.settle()


async def taught(site: Site) -> None:
    """A trained model, and three messages it was unsure about (two of them alike)."""
    await site.chat(TRAINING)
    for text in ("what is the weather", "what is the weather today", "where do you live"):
        assert "not sure" in await site.chat(text)


# --- who may enter ----------------------------------------------------------------------------------


async def test_without_a_session_pages_send_to_sign_in_and_actions_are_refused(site: Site) -> None:
    login = await site.page("/")
    assert "one-time link" in login and "Sign in with Discord" not in login
    for path in ("/g/1/", "/g/1/inbox", "/g/1/models", "/g/1/data", "/g/1/settings", "/g/1/job"):
        response = await site.client.get(path, allow_redirects=False)
        assert (response.status, response.headers["Location"]) == (303, "/"), path
    response = await site.client.post("/g/1/inbox/ignore", data={"csrf": "x", "text": "hi"})
    assert response.status == 401


async def test_a_login_link_works_once_and_sets_a_safe_cookie(site: Site) -> None:
    link = site.web.login_link(Identity(7, "Ada", (ALPHA,)))
    response = await site.client.get(link, allow_redirects=False)
    assert response.status == 303
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) == 3600
    site.client.session.cookie_jar.clear()
    again = await site.client.get(link, allow_redirects=False)
    assert again.status == 403 and "already used" in await again.text()
    assert (await site.client.get("/g/1/", allow_redirects=False)).status == 303


async def test_an_expired_or_forged_session_is_refused(tmp_path: Path) -> None:
    clock = [1000.0]
    web = build_web(tmp_path / "data", now=lambda: clock[0], session_hours=1)
    client = TestClient(TestServer(web.app))
    await client.start_server()
    try:
        site = Site(web, client)
        await site.sign_in()
        assert "Overview" in await site.page("/g/1/")
        clock[0] += 3601
        assert (await client.get("/g/1/", allow_redirects=False)).status == 303
        refused = await client.post("/g/1/models/train", data={"csrf": site.csrf})
        assert refused.status == 401
        clock[0] = 1000.0
        client.session.cookie_jar.clear()
        client.session.cookie_jar.update_cookies(
            {COOKIE: web.context.sessions.encode(web.context.sessions.new(Identity(7, "Ada", (ALPHA, BETA))))}
        )
        assert (await client.get("/g/2/", allow_redirects=False)).status == 200  # the genuine cookie works
        value = web.context.sessions.encode(web.context.sessions.new(Identity(7, "Ada", (ALPHA, BETA))))
        body, signature = value.rsplit(".", 1)
        forged = body + "." + ("0" if signature[0] != "0" else "1") + signature[1:]
        client.session.cookie_jar.clear()
        client.session.cookie_jar.update_cookies({COOKIE: forged})
        assert (await client.get("/g/2/", allow_redirects=False)).status == 303
    finally:
        await client.close()


async def test_another_servers_pages_and_actions_are_refused(site: Site) -> None:
    await site.sign_in(Identity(7, "Ada", (ALPHA,)))
    await taught(site)
    # Beta's space has data of its own, which Ada must never reach.
    await site.web.harness.discord.say(TRAINING, guild_id=2)
    await site.web.harness.settle()
    for path in (
        "/g/2/",
        "/g/2/inbox",
        "/g/2/models",
        "/g/2/data",
        "/g/2/settings",
        "/g/2/job",
        "/g/2/models/1/confusion.png",
        "/g/2/data/download?name=inline.txt",
        "/g/3/",
    ):
        assert (await site.client.get(path, allow_redirects=False)).status == 403, path
    for path, fields in (
        ("/g/2/inbox/answer", {"text": "what is the weather", "answer": "Sunny."}),
        ("/g/2/inbox/ignore", {"text": "what is the weather"}),
        ("/g/2/models/use", {"version": "1"}),
        ("/g/2/models/train", {}),
        ("/g/2/data/select", {"name": "inline.txt"}),
        ("/g/2/corrections/delete", {"user_text": "hello"}),
        ("/g/2/settings", {"active_model": "1"}),
    ):
        response = await site.client.post(path, data={"csrf": site.csrf, **fields}, allow_redirects=False)
        assert response.status == 403, path
    job = site.web.harness.container.learning.runner().current(Space(guild_id=GuildId(2)))
    assert job is not None and job.id == "train-2"  # Beta's own training; none started from the page


async def test_a_form_without_its_csrf_token_changes_nothing(site: Site) -> None:
    await site.sign_in()
    await taught(site)
    for path, fields in (
        ("/g/1/inbox/answer", {"text": "what is the weather", "answer": "Sunny."}),
        ("/g/1/inbox/ignore", {"text": "what is the weather"}),
        ("/g/1/models/train", {}),
        ("/g/1/corrections/edit", {"user_text": "hello", "correction": "Yo"}),
    ):
        missing = await site.client.post(path, data=fields, allow_redirects=False)
        assert missing.status == 403 and "security token" in await missing.text(), path
        wrong = await site.client.post(path, data={"csrf": "not-it", **fields}, allow_redirects=False)
        assert wrong.status == 403, path
    assert "not sure" in await site.chat("what is the weather")
    assert "what is the weather" in await site.page("/g/1/inbox")


async def test_the_server_picker_lists_only_the_users_servers(site: Site) -> None:
    await site.sign_in(Identity(7, "Ada", (ALPHA, BETA)))
    servers = await site.page("/")
    assert 'href="/g/1/"' in servers and 'href="/g/2/"' in servers
    overview = await site.page("/g/2/")
    assert "Server: Beta" in overview and 'href="/g/1/"' in overview
    await site.sign_in(Identity(8, "Bob", (BETA,)))
    response = await site.client.get("/", allow_redirects=False)
    assert response.headers["Location"] == "/g/2/"


async def test_sign_out_needs_the_token_and_ends_the_session(site: Site) -> None:
    await site.sign_in()
    assert (await site.client.post("/logout", data={}, allow_redirects=False)).status == 403
    response = await site.client.post("/logout", data={"csrf": site.csrf}, allow_redirects=False)
    assert response.status == 303
    assert (await site.client.get("/g/1/", allow_redirects=False)).status == 303


# --- the pages ---------------------------------------------------------------------------------------


async def test_overview_shows_the_model_and_todays_traffic(site: Site) -> None:
    await site.sign_in()
    empty = await site.page("/g/1/")
    assert "none yet" in empty
    await taught(site)
    await site.chat("hello")
    page = await site.page("/g/1/")
    assert "version 1 (embedded)" in page and "inline.txt" in page and "4 examples, 2 intents" in page
    answered = re.search(r"Messages answered today</dt><dd>(\d+)", page)
    unsure = re.search(r"Of which unsure</dt><dd>(\d+)", page)
    assert answered and unsure and (answered.group(1), unsure.group(1)) == ("4", "3")
    assert 'name="viewport"' in page and 'lang="en"' in page


async def test_inbox_groups_similar_messages_with_their_confidence_intent_channel_and_date(site: Site) -> None:
    await site.sign_in()
    await taught(site)
    page = await site.page("/g/1/inbox")
    groups = page.split('<li class="group">')[1:]
    assert len(groups) == 2
    weather = next(group for group in groups if "“what is the weather" in group)
    assert "1 similar" in weather and "what is the weather today" in weather
    assert "% sure" in weather and "channel #10" in weather and re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", weather)
    assert "guessed <code>" in weather


async def test_inbox_groups_messages_of_one_meaning_by_the_models_encoder(site: Site) -> None:
    await site.sign_in()
    await site.chat(TRAINING)
    for text in ("what's the weather today?", "what is the weather tomorrow", "where do you live"):
        assert "not sure" in await site.chat(text)
    page = await site.page("/g/1/inbox")
    groups = page.split('<li class="group">')[1:]
    # Few words in common, one meaning: the encoder (MiniLM, the configured `model.encoder`) puts them together.
    [weather] = [group for group in groups if "weather" in group]
    assert "what&#39;s the weather today?" in weather and "what is the weather tomorrow" in weather
    assert "1 similar" in weather and "where do you live" not in weather
    assert len(groups) == 2


async def test_inbox_filters_by_intent_confidence_and_date(site: Site) -> None:
    await site.sign_in()
    await taught(site)
    assert "Nothing here" in await site.page("/g/1/inbox?min=90&max=100")
    assert "what is the weather" in await site.page("/g/1/inbox?min=0&max=100")
    assert "Nothing here" in await site.page("/g/1/inbox?intent=no_such_intent")
    assert "Nothing here" in await site.page("/g/1/inbox?since=2000-01-01&until=2000-01-02")
    assert "where do you live" in await site.page("/g/1/inbox?since=2000-01-01")
    bad = await site.page("/g/1/inbox?since=yesterday")
    assert "not understood" in bad
    assert "lower to a higher" in await site.page("/g/1/inbox?min=80&max=20")


async def test_answering_a_group_corrects_every_message_in_it_at_once(site: Site) -> None:
    await site.sign_in()
    await taught(site)
    texts = ["what is the weather", "what is the weather today"]
    after = await site.act("/g/1/inbox/answer", {"text": texts, "answer": "Sunny, as always."})
    assert "Thanks, noted" in after and "what is the weather" not in after.split("<h1>Inbox</h1>")[1].split("<ol")[1]
    # The next chat message uses the correction, without any training.
    assert await site.chat("What is the weather?") == "Sunny, as always."
    answered = await site.page("/g/1/inbox?state=answered")
    assert "what is the weather today" in answered and "Sunny, as always." in answered
    assert "Sunny, as always." in await site.page("/g/1/data")


async def test_assigning_an_intent_teaches_its_answer(site: Site) -> None:
    await site.sign_in()
    await taught(site)
    after = await site.act("/g/1/inbox/assign", {"text": "where do you live", "intent": "hi"})
    assert "Thanks, noted" in after
    assert await site.chat("where do you live") == "Hi!"


async def test_ignoring_hides_a_group_without_deleting_it(site: Site) -> None:
    await site.sign_in()
    await taught(site)
    after = await site.act("/g/1/inbox/ignore", {"text": "where do you live"})
    assert "Ignored 1 message" in after
    assert "where do you live" not in await site.page("/g/1/inbox")
    assert "where do you live" in await site.page("/g/1/inbox?state=ignored")
    again = await site.act("/g/1/inbox/ignore", {"text": "where do you live"})
    assert "None of those messages" in again


async def test_a_correction_made_in_the_chat_is_done_and_shows_the_models_guess(site: Site) -> None:
    await site.sign_in()
    await site.chat(TRAINING)
    await site.chat("hi there you")  # "Hi!", the model two thirds sure
    await site.chat("!correct Good day to you!")
    assert "“hi there you”" not in await site.page("/g/1/inbox")  # it has its answer: not waiting
    page = await site.page("/g/1/inbox?state=answered")
    [group] = [group for group in page.split('<li class="group">')[1:] if "“hi there you”" in group]
    assert "67% sure</span>\n      · guessed <code>hi</code>" in group and "guessed nothing" not in group
    assert "corrected (answered)" in group and "Corrected to: Good day to you!" in group
    assert "“hi there you”" in await site.page("/g/1/inbox?reason=corrected&state=answered")


async def test_the_inbox_shows_replies_and_outcomes_in_html_not_markdown(site: Site) -> None:
    await site.sign_in()
    await taught(site)
    page = await site.page("/g/1/inbox")
    assert "teach me: <code>!correct &lt;the answer&gt;</code>." in page
    after = await site.act("/g/1/inbox/answer", {"text": "where do you live", "answer": "In a cage."})
    banner = after.split('<div class="flash ok" role="status">')[1].split("</div>")[0]
    assert "Thanks, noted." in banner and "part of the next <code>!train</code>." in banner
    assert "`" not in banner and "`" not in page


async def test_models_page_shows_reports_pictures_and_the_accuracy_chart(site: Site) -> None:
    await site.sign_in()
    await site.chat(TRAINING)
    await site.chat("!test hello => Hi!\nbye => See you!")
    await site.chat(TRAINING.replace("goodbye", "farewell"))
    page = await site.page("/g/1/models")
    assert "Version 1" in page and "Version 2" in page and "Accuracy" in page and "Macro-F1" in page
    assert '<svg class="chart"' in page and "version 1 " in page  # the chart's title names each point
    assert 'src="/g/1/models/1/confusion.png"' in page
    picture = await site.client.get("/g/1/models/1/confusion.png")
    assert picture.status == 200 and picture.content_type == "image/png" and await picture.read()
    assert (await site.client.get("/g/1/models/2/confusion.png")).status == 404
    used = await site.act("/g/1/models/use", {"version": "1"})
    assert "Model version 1 is now active." in used
    refused = await site.act("/g/1/models/use", {"version": "9"})
    assert "There is no model version 9 here." in refused and 'class="flash error"' in refused


async def test_models_page_links_the_full_picture_tables_the_confusions_and_explains_oos(site: Site) -> None:
    await site.sign_in()
    await site.chat(TRAINING)
    await site.chat("!test hello => See you!\nbye => See you!\nwhat is the weather => oos")
    await site.web.harness.settle()
    page = await site.page("/g/1/models")
    # Drawn small on the page, the picture opens at its full size.
    assert '<a href="/g/1/models/1/confusion.png" target="_blank"><img src="/g/1/models/1/confusion.png"' in page
    assert "Open the confusion matrix at full size" in page
    table = page.split('<table class="confusions">')[1].split("</table>")[0]
    assert '<th scope="col">True intent</th>' in table
    assert "<tr><td><code>see_you</code></td><td><code>hi</code></td><td>1</td></tr>" in table
    assert "<code>oos</code> = out of scope: questions the model should not answer." in page


async def test_training_and_testing_start_jobs_whose_progress_the_page_polls(site: Site) -> None:
    await site.sign_in()
    nothing = await site.act("/g/1/models/train", {})
    assert "choose a dataset first" in nothing
    await site.chat(TRAINING)
    site.web.harness.backend.delay = 0.3
    started = await site.act("/g/1/models/train", {})
    assert "Training" in started and "started" in started
    fragment = await site.page("/g/1/job")
    assert "train-2" in fragment and "data-running" in fragment and "<progress" in fragment
    busy = await site.act("/g/1/models/test", {})
    assert "already running" in busy
    await site.web.harness.settle()
    done = await site.page("/g/1/job")
    assert "data-running" not in done and "finished" in done
    site.web.harness.backend.delay = 0
    tested = await site.act("/g/1/models/test", {})
    assert "Testing" in tested and "started" in tested
    await site.web.harness.settle()
    page = await site.page("/g/1/models")
    assert "Latest cross-validation" in page and 'src="/g/1/models/cv/confusion.png"' in page
    assert (await site.client.get("/g/1/models/cv/confusion.png")).status == 200


async def test_datasets_upload_select_and_download(site: Site) -> None:
    await site.sign_in()
    form = FormData()
    form.add_field("csrf", site.csrf)
    form.add_field("file", GOOD_DATASET, filename="faq.txt", content_type="text/plain")
    response = await site.client.post("/g/1/data/upload", data=form)
    page = await response.text()
    assert "Kept <code>faq.txt</code>: 4 examples, 2 intents." in page
    selected = await site.act("/g/1/data/select", {"name": "faq.txt"})
    assert "selected" in selected
    download = await site.client.get("/g/1/data/download?name=faq.txt")
    assert await download.read() == GOOD_DATASET
    assert 'filename="faq.txt"' in download.headers["Content-Disposition"]
    assert (await site.client.get("/g/1/data/download?name=../../etc/passwd")).status == 404
    assert (await site.client.get("/g/1/data/download?name=missing.txt")).status == 404


async def test_an_invalid_upload_is_explained_and_not_kept(site: Site) -> None:
    await site.sign_in()
    for filename, data, reason in (
        ("bad.txt", b"this line has no arrow\n", "line 1"),
        ("thin.txt", b"hello => Hi!\nbye => See you!\n", "at least 2 are needed"),
    ):
        form = FormData()
        form.add_field("csrf", site.csrf)
        form.add_field("file", data, filename=filename, content_type="text/plain")
        page = await (await site.client.post("/g/1/data/upload", data=form)).text()
        assert 'class="flash error"' in page and reason in page, filename
        assert filename not in page.split("<h2>Datasets</h2>")[1].split("<h2>Corrections")[0].split("</form>", 1)[1]
    empty = await site.act("/g/1/data/upload", {})
    assert "Choose a dataset file" in empty


async def test_corrections_can_be_edited_and_withdrawn(site: Site) -> None:
    await site.sign_in()
    await site.chat(TRAINING)
    await site.chat("hello")
    await site.chat("!correct Good day!")
    assert await site.chat("hello") == "Good day!"
    edited = await site.act("/g/1/corrections/edit", {"user_text": "hello", "correction": "Greetings!"})
    assert "Greetings!" in edited
    assert await site.chat("hello") == "Greetings!"
    withdrawn = await site.act("/g/1/corrections/delete", {"user_text": "hello"})
    assert "withdrawn" in withdrawn and "No corrections yet." in withdrawn
    assert await site.chat("hello") == "Hi!"
    # Nothing is deleted silently: the database still holds both corrections, marked withdrawn by the retraction.
    kept = records.rows(site.web.harness.container.settings().storage.data_root, "corrections", "guild-1")
    assert [(row["correction"], bool(row["withdrawn"])) for row in kept] == [("Good day!", True), ("Greetings!", True)]
    missing = await site.act("/g/1/corrections/delete", {"user_text": "never corrected"})
    assert "no correction of that message" in missing


async def test_feedback_is_listed(site: Site) -> None:
    await site.sign_in()
    await site.chat("!feedback The bot is great <script>alert(1)</script>")
    page = await site.page("/g/1/data")
    assert "The bot is great &lt;script&gt;" in page and "<script>alert" not in page


async def test_settings_change_through_the_same_commands_and_checks(site: Site) -> None:
    await site.sign_in()
    await site.chat(TRAINING)
    await site.chat(TRAINING.replace("goodbye", "farewell"))
    page = await site.page("/g/1/settings")
    assert "Active model version" in page and "<option selected>2</option>" in page
    saved = await site.act("/g/1/settings", {"active_model": "1", "active_dataset": "inline.txt"})
    assert "Model version 1 is now active." in saved and "<option selected>1</option>" in saved
    refused = await site.act("/g/1/settings", {"active_model": "x1"})
    assert "Give the version number" in refused
    unchanged = await site.act("/g/1/settings", {"active_model": "1", "active_dataset": "inline.txt"})
    assert "Nothing changed." in unchanged


async def test_pages_send_protective_headers(site: Site) -> None:
    await site.sign_in()
    response = await site.client.get("/g/1/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert (await site.client.get("/static/poll.js")).status == 200
