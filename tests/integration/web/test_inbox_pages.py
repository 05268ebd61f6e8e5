"""The inbox page shows its groups fifty at a time, with links that keep the filters."""

import html
import random
import re
import string
from datetime import UTC, datetime
from pathlib import Path

from adapters.web.app import GROUPS_PER_PAGE
from application.review.activity import ActivityLog
from domain.events import ReplyProduced
from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.messages import Author, Message, Reply
from tests.integration.web.test_inbox_and_settings import open_site

ASKED = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def nonsense(rng: random.Random) -> str:
    # Letters at random: no two messages share a word or a meaning, whichever way the inbox groups them.
    return " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(6)) for _ in range(3))


async def waiting(log: ActivityLog, texts: list[str]) -> None:
    author = Author(UserId(3), "bob")
    for number, text in enumerate(texts):
        message = Message(MessageId(number + 1), ChannelId(10), author, text, GuildId(1), created_at=ASKED)
        reply = Reply(ChannelId(10), "?", MessageId(number + 1), None, False, "hi", number / 1000)
        await log.on_reply(ReplyProduced(message, reply, text))


def shown(page: str) -> list[str]:
    return [html.unescape(text) for text in re.findall(r'name="text" value="([^"]*)"', page)]


def link(page: str, rel: str) -> str:
    found = re.search(rf'<a href="([^"]*)" rel="{rel}">', page)
    return html.unescape(found.group(1)) if found else ""


async def test_the_inbox_pages_through_its_groups_keeping_the_filters(tmp_path: Path) -> None:
    # Grouped by MiniLM's meaning: random letters mean nothing to it, where USE (the default's half for meaning)
    # puts gibberish together, which would leave fewer groups than three pages need.
    site, client = await open_site(tmp_path / "data", model_settings={"encoder": "minilm"})
    try:
        await site.sign_in()
        rng = random.Random(7)
        texts = list(dict.fromkeys(nonsense(rng) for _ in range(130)))
        log = site.web.harness.container.review.activity()
        assert isinstance(log, ActivityLog)
        await waiting(log, texts)

        first = await site.page("/g/1/inbox?intent=hi&min=0")
        total = int(re.search(r"groups 1–50 of (\d+)", first).group(1))  # type: ignore[union-attr]
        assert total > 2 * GROUPS_PER_PAGE  # three pages at least
        assert first.count('<li class="group">') == GROUPS_PER_PAGE and not link(first, "prev")
        seen, page, pages = shown(first), first, 1
        while link(page, "next"):
            after = link(page, "next")
            assert "intent=hi" in after and "min=0" in after and f"page={pages + 1}" in after
            page, pages = await site.page(after), pages + 1
            assert 0 < page.count('<li class="group">') <= GROUPS_PER_PAGE
            assert "intent=hi" in link(page, "prev") and f"page={pages - 1}" in link(page, "prev")
            seen += shown(page)
        assert pages == -(-total // GROUPS_PER_PAGE)
        assert sorted(seen) == sorted(texts)  # every message once, on one page, least sure first
        assert shown(first)[0] == texts[0]

        assert shown(await site.page("/g/1/inbox?intent=hi&min=0&page=999")) == shown(page)  # the last page
        assert shown(await site.page("/g/1/inbox?page=nonsense")) == shown(await site.page("/g/1/inbox"))
        empty = await site.page("/g/1/inbox?intent=bye")
        assert "Nothing here" in empty and 'rel="next"' not in empty
    finally:
        await client.close()
        await site.web.harness.settle()
