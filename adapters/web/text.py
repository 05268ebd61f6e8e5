"""Parrot's `Text` as the review page's HTML: each typed part in its element, every character escaped.

The chat drivers write code and commands in backticks because their chats read markdown; a page does not, so
backticks would show as written. The same parts become `<code>`, `<strong>` and `<em>` here, and a plain string
(a reply kept before replies kept their parts, a line of the page's own) is escaped and shown as it is.
"""

from markupsafe import Markup, escape

from adapters.markdown import one_line
from domain.text import Aside, ChannelRef, Code, CommandRef, Quote, Renderer, Strong, Text, render


def _code(text: str, limit: int) -> str:
    return f"<code>{escape(one_line(text, limit))}</code>"


def html_renderer(prefix: str) -> Renderer:
    def command(part: CommandRef) -> str:
        return _code(prefix + part.usage, part.limit)

    def code(part: Code) -> str:
        return _code(part.text, part.limit)

    def channel(part: ChannelRef) -> str:
        return f"#{int(part.channel_id)}"

    def strong(part: Strong) -> str:
        return f"<strong>{escape(part.text)}</strong>"

    def aside(part: Aside) -> str:
        return f"<em>{escape(part.text)}</em>"

    def quote(part: Quote) -> str:
        return str(escape(one_line(part.text, part.limit)))

    return Renderer(code=code, command=command, channel=channel, strong=strong, aside=aside, quote=quote)


def _plain(text: str) -> str:
    return str(escape(text)).replace("\n", "<br>\n")


def text_html(text: Text | str, renderer: Renderer) -> Markup:
    """`text` as safe HTML: plain strings escaped, each typed part through `renderer` (one of html_renderer)."""
    if isinstance(text, str):
        return Markup(_plain(text))  # noqa: S704  (escaped just above)
    out = [_plain(part) if isinstance(part, str) else render(Text((part,)), renderer) for part in text.parts]
    return Markup("".join(out))  # noqa: S704  (every piece escaped by _plain or the renderer)
