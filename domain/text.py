"""What Parrot says, before any chat platform's markup: plain words with typed parts.

Use cases compose a `Text`; each driver's ChatOutput renders it (Discord: `<#id>`, `**bold**`, its prefix;
the local chat: plain names). So nothing in the core knows how a platform marks up a channel or a command.
"""

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from domain.ids import ChannelId, MessageId


@dataclass(frozen=True, slots=True)
class Code:
    """Text shown verbatim (a name, a path, something the user typed), cut to `limit` characters."""

    text: str
    limit: int = 80


@dataclass(frozen=True, slots=True)
class Quote:
    """Someone's words shown as written (feedback, a message, a transcript): never read as markup, one line."""

    text: str
    limit: int = 2000


@dataclass(frozen=True, slots=True)
class CommandRef:
    """A command as the user would type it, e.g. `help` or `model use N`; the driver adds its prefix."""

    usage: str
    limit: int = 200


@dataclass(frozen=True, slots=True)
class ChannelRef:
    channel_id: ChannelId


@dataclass(frozen=True, slots=True)
class Strong:
    text: str


@dataclass(frozen=True, slots=True)
class Aside:
    """A remark in passing, such as `(admins)`; rendered in italics where the platform has them."""

    text: str


@dataclass(frozen=True, slots=True)
class Replying:
    """`command` sent as a reply to one of Parrot's messages: Discord replies to it, the local chat names its number."""

    command: CommandRef


@dataclass(frozen=True, slots=True)
class MessageRef:
    """One of Parrot's messages, for chats whose users point at a message by its number (the local chat's `#7`).

    Where one replies to the message itself (Discord), it is rendered as nothing, so the text must read without it;
    write it straight after a word: a chat that shows it adds its own space.
    """

    message_id: MessageId


Part = str | Code | Quote | CommandRef | ChannelRef | Strong | Aside | Replying | MessageRef


@dataclass(frozen=True, slots=True)
class Text:
    parts: tuple[Part, ...] = ()

    def __add__(self, other: "Text | Part") -> "Text":
        return Text((*self.parts, *(other.parts if isinstance(other, Text) else (other,))))

    def __radd__(self, other: Part) -> "Text":
        return Text((other, *self.parts))

    def __bool__(self) -> bool:
        return any(self.parts)

    def __str__(self) -> str:
        """A plain rendering, for logs and exceptions: code in backticks, commands without a prefix."""
        return render(self, Renderer())


def say(*parts: "Text | Part") -> Text:
    text = Text()
    for part in parts:
        text = text + part
    return text


def codes(names: "Collection[str]", separator: str = ", ") -> Text:
    """Names shown verbatim (files, intents, datasets), one after another: `a`, `b`, `c`."""
    text = Text()
    for index, name in enumerate(names):
        text = text + (separator if index else "") + Code(name)
    return text


def join_lines(lines: "list[Text | str]") -> Text:
    text = Text()
    for index, line in enumerate(lines):
        text = text + ("\n" if index else "") + line
    return text


# A command written into an answer (a dataset's, the starter's) as "`!name args`": `!` marks it, whatever the prefix.
_MARKED_COMMAND = re.compile(r"`!([a-z_]+)([^`\n]*)`")


def with_commands(answer: str, names: Collection[str]) -> Text:
    """`answer` with each "`!name ...`" of a known command as a CommandRef, so each chat writes its own prefix.

    Only `names` count: "`!play`" in an answer may well be another bot's command, and stays as it was written.
    """
    text = Text()
    start = 0
    for match in _MARKED_COMMAND.finditer(answer):
        if match.group(1) not in names:
            continue
        before = answer[start : match.start()]
        text = (text + before if before else text) + CommandRef(match.group(1) + match.group(2))
        start = match.end()
    return text + answer[start:] if start < len(answer) else text


@dataclass(frozen=True, slots=True)
class Renderer:
    """How one platform writes each kind of part; drivers give their own functions."""

    code: Callable[[Code], str] = lambda part: f"`{part.text}`"
    command: Callable[[CommandRef], str] = lambda part: f"`{part.usage}`"
    channel: Callable[[ChannelRef], str] = lambda part: f"#{part.channel_id}"
    strong: Callable[[Strong], str] = lambda part: part.text
    aside: Callable[[Aside], str] = lambda part: part.text
    quote: Callable[[Quote], str] = lambda part: part.text
    # Given the part and its command as this renderer writes it.
    replying: Callable[[Replying, str], str] = lambda part, command: f"{command} replying to my reply"
    message: Callable[[MessageRef], str] = lambda part: ""


def render(text: "Text | str", renderer: Renderer) -> str:
    if isinstance(text, str):
        return text
    out: list[str] = []
    for part in text.parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, Code):
            out.append(renderer.code(part))
        elif isinstance(part, CommandRef):
            out.append(renderer.command(part))
        elif isinstance(part, ChannelRef):
            out.append(renderer.channel(part))
        elif isinstance(part, Quote):
            out.append(renderer.quote(part))
        elif isinstance(part, Strong):
            out.append(renderer.strong(part))
        elif isinstance(part, Replying):
            out.append(renderer.replying(part, renderer.command(part.command)))
        elif isinstance(part, MessageRef):
            out.append(renderer.message(part))
        else:
            out.append(renderer.aside(part))
    return "".join(out)
