"""Chat text made fit to be read aloud."""

from hypothesis import given
from hypothesis import strategies as st

from domain.spoken_text import MentionKind, split_sentences, spoken_text


def names(kind: MentionKind, id_: int) -> str | None:
    return {(MentionKind.USER, 1): "Alice", (MentionKind.CHANNEL, 2): "general", (MentionKind.ROLE, 3): "mods"}.get(
        (kind, id_)
    )


def test_mentions_are_read_as_names() -> None:
    text = "Hi <@1>, <@!1> and <@99>: see <#2> or <#98>, ask <@&3> or <@&97>."
    assert spoken_text(text, names) == "Hi Alice, Alice and someone: see general or a channel, ask mods or a role."


def test_mentions_without_a_resolver_get_generic_names() -> None:
    assert spoken_text("<@1> pinged <@&3> in <#2>") == "someone pinged a role in a channel"


def test_links_are_dropped_and_masked_links_keep_their_text() -> None:
    text = "Read https://example.com/a?b=1 or <https://x.org/y>, or [the docs](https://docs.example.com/p) www.site.com"
    assert spoken_text(text) == "Read or, or the docs"


def test_a_line_left_with_punctuation_only_is_dropped() -> None:
    assert spoken_text("Look:\nhttps://example.com.\nNice") == "Look:\nNice"


def test_custom_emoji_are_skipped_and_unicode_emoji_kept() -> None:
    assert spoken_text("Nice <:pog:123456> work <a:dance:42> 🎉") == "Nice work 🎉"


def test_code_blocks_and_inline_code_are_skipped() -> None:
    text = "Run this:\n```python\nprint('hello')\nx = 1\n```\nthen `pip install x` and ``a ` b`` done."
    assert spoken_text(text) == "Run this:\nthen and done."


def test_markdown_markers_are_removed_but_words_kept() -> None:
    text = "**bold** *it* __under__ _em_ ~~gone~~ ||secret|| ***both*** **__nested__**"
    assert spoken_text(text) == "bold it under em gone secret both nested"


def test_underscores_inside_words_stay() -> None:
    assert spoken_text("call snake_case_name now") == "call snake_case_name now"


def test_line_markers_are_removed() -> None:
    text = "# Title\n## Sub\n> quoted\n>>> block\n- one\n* two\n-# small print"
    assert spoken_text(text) == "Title\nSub\nquoted\nblock\none\ntwo\nsmall print"


def test_timestamps_vanish_and_slash_commands_keep_their_name() -> None:
    assert spoken_text("Meet <t:1700000000:R>, then use </train:123>.") == "Meet, then use train."


def test_empty_and_markup_only_text_gives_nothing() -> None:
    assert spoken_text("") == ""
    assert spoken_text("```code```  <:x:1> https://a.b") == ""


def test_sentences_are_split_at_their_ends() -> None:
    text = 'Hello there. How are you? Fine! "Quoted." Then… more\nNew line'
    assert split_sentences(text) == ["Hello there.", "How are you?", "Fine!", '"Quoted."', "Then…", "more", "New line"]


def test_abbreviations_and_decimals_end_no_sentence() -> None:
    assert split_sentences("Dr. Smith paid 3.50 dollars, e.g. coins. Done.") == [
        "Dr. Smith paid 3.50 dollars, e.g. coins.",
        "Done.",
    ]


def test_russian_sentences_are_split_too() -> None:
    assert split_sentences("Привет. Как дела? Хорошо!") == ["Привет.", "Как дела?", "Хорошо!"]


def test_long_sentences_are_cut_at_clauses_then_words() -> None:
    text = "one two three, four five six seven eight nine ten eleven, twelve."
    assert split_sentences(text, max_chars=20) == [
        "one two three,",
        "four five six seven",
        "eight nine ten",
        "eleven, twelve.",
    ]


def test_a_word_longer_than_the_limit_is_cut() -> None:
    assert split_sentences("abcdefghij xy", max_chars=4) == ["abcd", "efgh", "ij", "xy"]


@given(st.text(), st.integers(min_value=1, max_value=50))
def test_sentences_fit_the_limit_and_keep_every_word(text: str, max_chars: int) -> None:
    sentences = split_sentences(text, max_chars)
    assert all(0 < len(sentence) <= max_chars for sentence in sentences)
    assert "".join("".join(sentences).split()) == "".join(text.split())
