"""The wake-name rule: with several people in a voice channel, Parrot answers only when called by name."""

import re


def addressed(text: str, wake_name: str) -> str | None:
    """What was said after the wake name at the start ("Parrot, what time is it?"), or None if not called.

    Recognisers punctuate and capitalise freely, and people say "hey" first: both are allowed.
    """
    name = re.escape(wake_name.strip())
    if not name:
        return text
    match = re.match(rf"^\W*(?:(?:hey|hi|ok|okay|hello)\W+)?{name}\b\W*", text, re.IGNORECASE)
    if match is None:
        return None
    return text[match.end() :].strip()
