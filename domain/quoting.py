"""Showing user-supplied text back inside a reply without letting it change the reply's formatting."""

import unicodedata


def code(text: str, limit: int = 80) -> str:
    """`text` as inline code: one line, no backticks to break out of it, at most `limit` characters."""
    flat = "".join(" " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in text)
    flat = flat.replace("`", "'").strip()
    if len(flat) > limit:
        flat = flat[: limit - 3] + "..."
    return f"`{flat}`"
