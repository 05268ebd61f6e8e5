"""What the core says is rendered by each chat: Discord markdown with its prefix, plain text in the terminal."""

import io
from pathlib import Path

from adapters.local.console import TEXT_CHANNEL, VOICE_CHANNEL, ConsoleChat
from adapters.markdown import discord_markdown
from domain.catalogue import help_text
from domain.errors import MissingArgument, PathOutsideRoot
from domain.text import Aside, ChannelRef, Code, CommandRef, Strong, render, say

JOINED = say("Joined ", ChannelRef(VOICE_CHANNEL), ". Type ", CommandRef("leave"), " to stop.")


def test_discord_gets_mentions_markdown_and_its_prefix() -> None:
    markdown = discord_markdown("?")
    assert render(JOINED, markdown) == "Joined <#20>. Type `?leave` to stop."
    assert render(say(Strong("(active)"), " ", Aside("(admins)")), markdown) == "**(active)** *(admins)*"


def test_user_text_is_quoted_once_at_the_edge_and_cannot_break_out() -> None:
    markdown = discord_markdown("!")
    assert render(say("the path ", Code("a`b\nc")), markdown) == "the path `a'b c`"
    assert render(say(Code("x" * 100)), markdown) == "`" + "x" * 77 + "...`"


async def test_the_local_chat_prints_plain_names_without_markup(tmp_path: Path) -> None:
    stream = io.StringIO()
    console = ConsoleChat(tmp_path, stream, prefix="!")
    await console.send_text(TEXT_CHANNEL, JOINED)
    await console.send_text(TEXT_CHANNEL, say(Strong("Datasets"), " in ", ChannelRef(TEXT_CHANNEL)))
    assert stream.getvalue().splitlines() == [
        "parrot> Joined #20. Type `!leave` to stop.",
        "parrot> Datasets in #general",
    ]
    assert "<#" not in stream.getvalue() and "**" not in stream.getvalue()


def test_refusals_and_help_read_the_same_as_plain_text_for_logs() -> None:
    assert MissingArgument("getfile PATH").user_message == "Something is missing. Usage: `getfile PATH`"
    assert PathOutsideRoot("../x").user_message.startswith("I can't use the path `../x`")
    assert render(help_text(), discord_markdown("!")).splitlines()[1].startswith("`!hi` - Say hello.")
