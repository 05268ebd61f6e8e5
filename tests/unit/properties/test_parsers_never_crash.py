"""Property-based: any text into the command parser and the path sandbox gives a command or a clear refusal."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.storage.sandbox import clean_relative, resolve_inside
from application.command_parser import parse_message
from domain.commands import Command
from domain.errors import PathOutsideRoot
from domain.ids import ChannelId, MessageId, UserId
from domain.messages import Author, Message

ROOT = Path("/srv/parrot-root-that-does-not-exist")
TRICKY = st.sampled_from(["..", ".", "/", "\\", "%2e", "．", "\x00", "C:", "~", "a", "b.txt", " ", "\u2024", "\u2215"])


def message(text: str) -> Message:
    return Message(MessageId(1), ChannelId(2), Author(UserId(3), "ann"), text)


@given(st.text(max_size=300))
@settings(max_examples=300)
def test_any_text_parses_to_a_command(text: str) -> None:
    assert isinstance(parse_message(message(text), "!"), Command)


@given(st.lists(st.one_of(TRICKY, st.text(max_size=8)), max_size=12).map("".join))
@settings(max_examples=500)
def test_no_path_ever_resolves_outside_the_root(path: str) -> None:
    try:
        resolved = resolve_inside(ROOT, path)
    except PathOutsideRoot as refusal:
        assert refusal.user_message.startswith("I can't use the path")
    else:
        assert resolved.is_relative_to(ROOT)
        assert ".." not in clean_relative(path)
