"""Refusals a user can see. Each carries the sentence the user is told."""

from collections.abc import Sequence

from domain.text import Code, CommandRef, Text, join_lines, say


class ParrotError(Exception):
    """An expected refusal: the user is told `text` (rendered by their chat), nothing is logged as a failure.

    `user_message` is the same sentence as plain text, for logs and for callers that want a string.
    """

    def __init__(self, user_message: str | Text) -> None:
        super().__init__(str(user_message))
        self.text = user_message
        self.user_message = str(user_message)


class MissingArgument(ParrotError):
    """The one "missing argument" sentence, for the core's parser and for a driver's own argument parsing."""

    def __init__(self, usage: str, alternative: Text | str = "") -> None:
        super().__init__(say("Something is missing. Usage: ", CommandRef(usage), alternative))
        self.usage = usage


class InvalidArgument(ParrotError):
    pass


class PathOutsideRoot(ParrotError):
    def __init__(self, given: str, reason: str = "it points outside the allowed folder") -> None:
        super().__init__(say("I can't use the path ", Code(given), f": {reason}."))
        self.given = given


class NotFound(ParrotError):
    pass


class TooLarge(ParrotError):
    def __init__(self, what: Text | str, size: int, limit: int) -> None:
        super().__init__(say(what, f" is too large: {format_bytes(size)}, the limit is {format_bytes(limit)}."))
        self.size = size
        self.limit = limit


class PermissionDenied(ParrotError):
    pass


class UnsupportedAudio(ParrotError):
    pass


class InvalidAudio(ParrotError):
    pass


class InvalidDataset(ParrotError):
    """A dataset was rejected; `problems` lists every reason by line."""

    def __init__(self, summary: Text | str, problems: Sequence[Text | str] = (), hint: Text | str = "") -> None:
        # Problems quote the file's own names and texts (Code, Quote parts): the chat renders them safely.
        lines: list[Text | str] = [summary, *(say("- ", p) for p in problems[:15])]
        if len(problems) > 15:
            lines.append(f"- ... and {len(problems) - 15} more")
        if hint:
            lines.append(hint)  # what to do, after what was wrong
        super().__init__(join_lines(lines))
        self.problems = tuple(str(p) for p in problems)  # plain, for logs and callers
        self.parts = tuple(problems)  # as given, for a caller that says them with another summary


class NoModel(ParrotError):
    pass


class NothingToCorrect(ParrotError):
    pass


class JobAlreadyRunning(ParrotError):
    pass


class QuotaReached(ParrotError):
    """A member has used up what one member may add in a period (corrections per day)."""


class Busy(ParrotError):
    def __init__(self, what: str = "I") -> None:
        super().__init__(f"{what} am busy with other requests right now; please try again shortly.")


class DownloadFailed(ParrotError):
    """An attachment's download stalled or broke twice (the second time from a freshly fetched URL)."""

    def __init__(self) -> None:
        super().__init__("I couldn't download that attachment; please try again in a moment.")


class BackendUnavailable(ParrotError):
    """A backend (speech, model, storage) failed; the user is told, the bot carries on."""


class WorkUnavailable(BackendUnavailable):
    """Heavy work cannot be handed out (the work queue's service is down); quick commands still answer."""

    def __init__(self) -> None:
        super().__init__("I can't do that right now: my work queue is unreachable. Please try again in a minute.")


def format_bytes(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")
