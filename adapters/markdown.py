"""Rendering the core's `Text` as chat markdown, shared by the drivers: the one place user text is quoted.

Not a driver itself, so the Discord and local drivers may both import it without depending on each other.
"""

import unicodedata
from collections.abc import Mapping

from domain.ids import ChannelId
from domain.text import Aside, ChannelRef, Code, CommandRef, Renderer, Strong


def inline_code(text: str, limit: int = 80) -> str:
    """`text` as inline code: one line, no backticks to break out of it, at most `limit` characters."""
    flat = "".join(" " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in text)
    flat = flat.replace("`", "'").strip()
    if len(flat) > limit:
        flat = flat[: limit - 3] + "..."
    return f"`{flat}`"


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

    return Renderer(code=code, command=command, channel=channel, strong=strong, aside=aside)


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

    return Renderer(code=code, command=command, channel=channel, strong=strong, aside=aside)
