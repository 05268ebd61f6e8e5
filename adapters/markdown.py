"""Rendering the core's `Text` as chat markdown, shared by the drivers: the one place user text is quoted.

Not a driver itself, so the Discord and local drivers may both import it without depending on each other.
"""

import re
import unicodedata
from collections.abc import Mapping

from domain.ids import ChannelId
from domain.text import Aside, ChannelRef, Code, CommandRef, MessageRef, Quote, Renderer, Replying, Strong

# Every character Discord's markdown gives a meaning to: emphasis, code, spoilers, quotes, headings, lists, links.
_MARKUP = re.compile(r"([\\*_~`|>#\-\[\]()<])")


def one_line(text: str, limit: int) -> str:
    """`text` on one line (control and separator characters become spaces), at most `limit` characters."""
    flat = "".join(" " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in text).strip()
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def inline_code(text: str, limit: int = 80) -> str:
    """`text` as inline code: one line, no backticks to break out of it, at most `limit` characters."""
    return "`" + one_line(text.replace("`", "'"), limit) + "`"


def escaped(text: str, limit: int = 2000) -> str:
    """`text` as it was written, on one line: every markdown character escaped, so none of it is markup."""
    return _MARKUP.sub(r"\\\1", one_line(text, limit))


def discord_markdown(prefix: str) -> Renderer:
    """Discord: channel mentions, bold and italics, commands with the bot's prefix."""

    def command(part: CommandRef) -> str:
        return inline_code(prefix + part.usage, part.limit)

    def code(part: Code) -> str:
        return inline_code(part.text, part.limit)

    def channel(part: ChannelRef) -> str:
        return f"<#{part.channel_id}>"

    def strong(part: Strong) -> str:
        return f"**{part.text}**"

    def aside(part: Aside) -> str:
        return f"*{part.text}*"

    def quote(part: Quote) -> str:
        return escaped(part.text, part.limit)

    return Renderer(code=code, command=command, channel=channel, strong=strong, aside=aside, quote=quote)


def plain_text(prefix: str, channel_names: Mapping[ChannelId, str]) -> Renderer:
    """A terminal: channels by name, no emphasis marks; code keeps its backticks, which read well as plain text."""

    def command(part: CommandRef) -> str:
        return inline_code(prefix + part.usage, part.limit)

    def code(part: Code) -> str:
        return inline_code(part.text, part.limit)

    def channel(part: ChannelRef) -> str:
        return "#" + channel_names.get(part.channel_id, str(part.channel_id))

    def strong(part: Strong) -> str:
        return part.text

    def aside(part: Aside) -> str:
        return part.text

    def quote(part: Quote) -> str:
        return one_line(part.text, part.limit)

    # A terminal cannot reply to a message: `/reply N` aims the next one at Parrot's message #N.
    def replying(part: Replying, command: str) -> str:
        return f"`/reply N` then {command}, N being the number (#N) of my reply"

    def message(part: MessageRef) -> str:
        return f" (#{part.message_id})"

    return Renderer(
        code=code,
        command=command,
        channel=channel,
        strong=strong,
        aside=aside,
        quote=quote,
        replying=replying,
        message=message,
    )
