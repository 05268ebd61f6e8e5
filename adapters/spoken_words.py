"""Rendering the core's `Text` for a voice, shared by the voice drivers as `markdown.py` is by the chat drivers.

A listener cannot see backticks: a command is said with its prefix in words ("exclamation mark train"), a name
in code is said as words ("card arrival"), and nothing is dropped, so every sentence still stands on its own.
"""

import re

from domain.text import Aside, ChannelRef, Code, CommandRef, Quote, Renderer, Strong, Text, render

# Prefix characters a bot is commonly given, by language; any other character is said as it is.
_SYMBOL_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "!": "exclamation mark",
        "?": "question mark",
        ".": "dot",
        "$": "dollar",
        "%": "percent",
        "&": "ampersand",
        "+": "plus",
        "-": "dash",
        "=": "equals",
        ">": "greater than",
        "~": "tilde",
        ",": "comma",
        ";": "semicolon",
        ":": "colon",
        "#": "hash",
        "/": "slash",
        "^": "caret",
        "*": "star",
    },
    "ru": {
        "!": "восклицательный знак",
        "?": "вопросительный знак",
        ".": "точка",
        "$": "доллар",
        "%": "процент",
        "&": "амперсанд",
        "+": "плюс",
        "-": "дефис",
        "=": "равно",
        ">": "больше",
        "~": "тильда",
        ",": "запятая",
        ";": "точка с запятой",
        ":": "двоеточие",
        "#": "решётка",
        "/": "слэш",
        "^": "крышка",
        "*": "звёздочка",
    },
}
_ARROW = {"en": " arrow ", "ru": " стрелка "}
_UNDERSCORE = {"en": " underscore ", "ru": " подчёркивание "}
_CHANNEL = {"en": "the channel", "ru": "канал"}

# Inline code inside an answer's own words ("write `question => answer` lines"): said, not skipped.
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_COMMAND_IN_CODE = re.compile(r"^([^\w\s<])([a-z_]+)(.*)$", re.DOTALL)
_PLACEHOLDER = re.compile(r"<([^<>\n]+)>")


def _language(language: str) -> str:
    return "ru" if language.lower().startswith("ru") else "en"


def _prefix_words(prefix: str, language: str) -> str:
    words = _SYMBOL_WORDS[language]
    return " ".join(words.get(character, character) for character in prefix)


def _plain_code(text: str, language: str) -> str:
    """Code said as words: `card_arrival` as "card arrival", `q => a` as "q gives a", `<answer>` as "answer"."""
    text = _PLACEHOLDER.sub(r"\1", text).replace("=>", _ARROW[language])
    return re.sub(r"_+", " ", text).strip()


def _command(prefix: str, usage: str, language: str) -> str:
    name, _, rest = usage.partition(" ")
    # Underscores inside a command's name are said, since the listener has to type them.
    said = _prefix_words(prefix, language) + " " + name.replace("_", _UNDERSCORE[language]).strip()
    rest = _plain_code(rest, language)
    return f"{said} {rest}" if rest else said


def spoken_renderer(prefix: str, language: str) -> Renderer:
    language = _language(language)

    def command(part: CommandRef) -> str:
        return _command(prefix, part.usage, language)

    def code(part: Code) -> str:
        return _plain_code(part.text, language)

    def channel(part: ChannelRef) -> str:
        return _CHANNEL[language]

    def strong(part: Strong) -> str:
        return part.text

    def aside(part: Aside) -> str:
        return part.text

    def quote(part: Quote) -> str:
        return part.text

    return Renderer(code=code, command=command, channel=channel, strong=strong, aside=aside, quote=quote)


def spoken_words(text: Text | str, prefix: str, language: str) -> str:
    """`text` as a voice should say it: commands with their prefix in words, code as words, no backticks."""
    lang = _language(language)

    def said(match: re.Match[str]) -> str:
        inner = match.group(1)
        marked = _COMMAND_IN_CODE.match(inner)
        if marked is not None and marked.group(1) == prefix[:1]:
            return _command(marked.group(1), marked.group(2) + marked.group(3), lang)
        return _plain_code(inner, lang)

    if isinstance(text, str):
        text = Text((text,))
    # Inline code written into plain words is said too; code blocks are left for `spoken_text` to skip.
    parts = tuple(
        _INLINE_CODE.sub(said, part) if isinstance(part, str) and "```" not in part else part for part in text.parts
    )
    return render(Text(parts), spoken_renderer(prefix, language))
