"""Long replies cut into chat-sized messages."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.discord.chat import DiscordChat
from domain.chat_text import split_at_paragraphs, split_for_chat


def test_short_text_is_one_message() -> None:
    assert split_for_chat("  hello world \n", 2000) == ["hello world"]


def test_empty_text_is_no_message() -> None:
    assert split_for_chat(" \n\n ", 2000) == []


def test_paragraphs_are_kept_whole_when_they_fit() -> None:
    first, second = "a" * 1200, "b" * 1200
    assert split_for_chat(f"{first}\n\n{second}", 2000) == [first, second]


def test_paragraphs_are_packed_together_up_to_the_limit() -> None:
    assert split_for_chat("aa\n\nbb\n\ncc", limit=6) == ["aa\n\nbb", "cc"]


def test_a_long_paragraph_is_cut_between_lines_then_words() -> None:
    text = "one two three\nfour five six seven"
    assert split_for_chat(text, limit=10) == ["one two", "three", "four five", "six seven"]


def test_a_word_longer_than_the_limit_is_hard_split() -> None:
    assert split_for_chat("x" * 25 + " end", limit=10) == ["x" * 10, "x" * 10, "x" * 5, "end"]


def test_discord_splits_at_its_own_limit() -> None:
    pieces = split_for_chat(" ".join(["word"] * 1000), DiscordChat.max_message_length)
    assert [len(piece) for piece in pieces] == [1999, 1999, 999]  # 400 five-character words per message


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        split_for_chat("text", limit=0)


@given(st.text(alphabet=st.sampled_from("ab \n"), max_size=300), st.integers(min_value=3, max_value=40))
def test_pieces_fit_and_keep_every_word_in_order(text: str, limit: int) -> None:
    pieces = split_for_chat(text, limit)
    assert all(0 < len(piece) <= limit for piece in pieces)
    if all(len(word) <= limit for word in text.split()):
        assert " ".join(pieces).split() == text.split()
    assert "".join("".join(pieces).split()) == "".join(text.split())


def test_markdown_is_cut_between_paragraphs_and_never_inside_a_code_block() -> None:
    block = "```text\nQ: hi\nA: Hello.\n\nQ: bye\nA: See you.\n```"
    text = f"# Title\n\nfirst paragraph\n\n{block}\n\nlast"
    assert split_at_paragraphs(text, 50) == ["# Title\n\nfirst paragraph", block, "last"]
    assert split_at_paragraphs(text, 1000) == [text]
    assert split_at_paragraphs(text, 30) is None  # the code block alone is longer than a message
    assert split_at_paragraphs(text, 50, max_parts=2) is None
    assert split_at_paragraphs("", 40) == []
