"""Refusals specific to decoding, expressed with the domain's errors."""

from domain.errors import ParrotError, TooLarge


class AudioTooLong(TooLarge):
    """TooLarge measured in seconds: the domain's TooLarge speaks in bytes, its callers catch it as such."""

    def __init__(self, limit_seconds: float) -> None:
        # TooLarge's own message formats bytes; build the sentence here and keep its fields meaningful.
        ParrotError.__init__(self, f"The audio is too long: the limit is {format_duration(limit_seconds)}.")
        self.size = -1  # unknown: decoding stops as soon as the limit is passed
        self.limit = round(limit_seconds)


def format_duration(seconds: float) -> str:
    whole = round(seconds)
    minutes, rest = divmod(whole, 60)
    if minutes and rest:
        return f"{minutes} min {rest} s"
    if minutes:
        return f"{minutes} minute" + ("s" if minutes != 1 else "")
    return f"{whole} seconds"


def shown_name(filename: str) -> str:
    """A file name fit to quote back to a user."""
    name = filename.strip().replace("`", "'") or "this file"
    return name if len(name) <= 60 else name[:57] + "..."
