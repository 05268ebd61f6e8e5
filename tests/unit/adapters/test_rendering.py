"""What the core says is rendered by each chat: Discord markdown with its prefix, plain text in the terminal."""

import io
import re
from pathlib import Path

import pytest

from adapters.datasets.parser import DatasetFileParser
from adapters.local.console import TEXT_CHANNEL, VOICE_CHANNEL, ConsoleChat
from adapters.markdown import discord_markdown
from domain.catalogue import help_text
from domain.dataset_rules import ensure_valid
from domain.errors import InvalidDataset, MissingArgument, PathOutsideRoot
from domain.text import Aside, ChannelRef, Code, CommandRef, Strong, render, say, with_commands
from domain.training import Dataset, Example
from support.app import AppHarness
from support.scripted_discord import member

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


# --- user text never becomes markup (issue 14, defect 9) ----------------------------------------------------------

HOSTILE = "see ```python [click me](https://evil.example) **loud** <@1> # heading"


def markup_outside_code(rendered: str) -> list[str]:
    """The markdown a chat would act on: what is left once inline code spans and escaped characters are set aside."""
    outside = re.sub(r"\\.", "", rendered)  # an escaped character is shown as itself
    outside = re.sub(r"`[^`\n]*`", "", outside)
    found = [token for token in ("`", "**", "](", "<@") if token in outside]
    return found + re.findall(r"^#+ ", outside, flags=re.MULTILINE)


async def test_help_topic_is_quoted(app: AppHarness) -> None:
    message = await app.discord.say("!help [click me](https://evil.example) **loud**")
    reply = app.discord.replies_to(message)[0].text
    assert reply.startswith("I don't know the command `")
    assert markup_outside_code(reply) == []


async def test_one_unclosed_code_fence_in_feedback_does_not_break_the_list(app: AppHarness) -> None:
    await app.discord.say("!feedback " + HOSTILE)
    await app.discord.say("!feedback the second one", author=member(user_id=2, name="**bob**"))
    listing = await app.discord.say("!feedback list")
    reply = app.discord.replies_to(listing)[0].text
    lines = reply.splitlines()
    assert markup_outside_code("\n".join(lines[1:])) == []
    assert lines[0] == "**Latest feedback** (2):"  # the bot's own markup still renders
    assert lines[2].endswith(": the second one")  # the item after the broken one reads as written
    hello = await app.discord.say("!hi", author=member(user_id=3, name="[x](https://evil.example)"))
    assert markup_outside_code(app.discord.replies_to(hello)[0].text) == []


def test_dataset_and_intent_names_in_refusals_are_quoted() -> None:
    markdown = discord_markdown("!")
    hostile_name = "[faq](https://evil.example)**.csv"
    with pytest.raises(InvalidDataset) as unparsed:
        DatasetFileParser().parse(b"\x00\x01binary", hostile_name)
    with pytest.raises(InvalidDataset) as answerless:
        DatasetFileParser().parse(
            b"text,intent,answer\nhi,**greet**,Hello\nhello,**greet**,Hi\nbye,[x](https://e.x),\n", "faq.csv"
        )
    examples = (Example("hi", "**greet**"), Example("hello", "**greet**"), Example("Hi", "`leave"))
    with pytest.raises(InvalidDataset) as invalid:
        ensure_valid(Dataset(hostile_name, examples, {}))
    for refusal in (unparsed.value, answerless.value, invalid.value):
        rendered = render(refusal.text, markdown)
        assert markup_outside_code(rendered) == [], rendered
    assert "is also under intent '**greet**'" in invalid.value.user_message  # logs keep the names as they are
    assert render(invalid.value.text, markdown).startswith("`[faq](https://evil.example)**.csv` was not used")


async def test_a_correction_echoes_the_message_quoted(app: AppHarness) -> None:
    await app.discord.say("what about **this** [x](https://e.x)")
    fixed = await app.discord.say("!correct That.")
    reply = app.discord.replies_to(fixed)[0].text
    assert reply.startswith("Thanks, noted.") and markup_outside_code(reply) == []


def test_commands_marked_in_an_answer_get_the_chats_prefix_and_others_stay_as_written() -> None:
    answer = "Type `!train`, then `!help train`; `!play` is another bot's, and `question => answer` is code."
    text = with_commands(answer, {"train", "help"})
    assert text.parts == (
        "Type ",
        CommandRef("train"),
        ", then ",
        CommandRef("help train"),
        "; `!play` is another bot's, and `question => answer` is code.",
    )
    assert render(text, discord_markdown("?")) == (
        "Type `?train`, then `?help train`; `!play` is another bot's, and `question => answer` is code."
    )
    assert with_commands("no commands here", {"train"}).parts == ("no commands here",)
    assert with_commands("`!train`", {"train"}).parts == (CommandRef("train"),)
