"""What Discord refuses although its OpenAPI description would let it through, answered as Discord answers it.

The limits are those of Discord's developer documentation (messages, components, receiving and responding to
interactions, rate limits). Each refusal carries Discord's status and error body, so the bot meets here what it
would meet there; the fake also counts each one as a problem, so a test in which Parrot triggers one fails.
"""

import math
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

CONTENT_CHARS = 2000  # for bots, although the spec allows 4,000 (that is Nitro users' limit)
EMBEDS = 10
ACTION_ROWS = 5
COMPONENTS_PER_ROW = 5
MODAL_INPUTS = 5
ANSWER_SECONDS = 3.0  # an interaction must be answered (or deferred) within this
FOLLOWUP_SECONDS = 15 * 60.0  # an interaction's token lasts this long
# Discord's own 429s come through its proxy; discord.py takes one without this header for a Cloudflare ban.
VIA = {"Via": "1.1 google"}


@dataclass(frozen=True, slots=True)
class Refusal:
    status: int
    body: dict[str, Any]

    @property
    def summary(self) -> str:
        return f"{self.status} {self.body.get('code')} {self.body.get('message')}: {self.body.get('errors', '')}"


def _too_long(where: str, most: int) -> dict[str, Any]:
    errors: dict[str, Any] = {
        "_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": f"Must be {most} or fewer in length."}]
    }
    for part in reversed(where.split(".")):
        errors = {part: errors}
    return errors


def invalid_form_body(errors: dict[str, Any]) -> Refusal:
    merged: dict[str, Any] = {}
    for error in errors.values():
        merged |= error
    return Refusal(400, {"code": 50035, "message": "Invalid Form Body", "errors": merged})


def message_problems(body: Any, prefix: str = "") -> dict[str, dict[str, Any]]:
    """Discord's form errors of a message body (a message, an edit, a follow-up, an interaction's data)."""
    if not isinstance(body, dict):
        return {}
    problems: dict[str, dict[str, Any]] = {}
    content = body.get("content")
    if isinstance(content, str) and len(content) > CONTENT_CHARS:
        problems["content"] = _too_long(prefix + "content", CONTENT_CHARS)
    embeds = body.get("embeds")
    if isinstance(embeds, list) and len(embeds) > EMBEDS:
        problems["embeds"] = _too_long(prefix + "embeds", EMBEDS)
    rows = body.get("components")
    if isinstance(rows, list):
        if len(rows) > ACTION_ROWS:
            problems["components"] = _too_long(prefix + "components", ACTION_ROWS)
        for index, row in enumerate(rows):
            children = row.get("components") if isinstance(row, dict) else None
            if isinstance(children, list) and len(children) > COMPONENTS_PER_ROW:
                problems[f"components.{index}"] = _too_long(
                    f"{prefix}components.{index}.components", COMPONENTS_PER_ROW
                )
    return problems


def callback_problems(body: Any) -> dict[str, dict[str, Any]]:
    """An interaction callback: its message data as a message's, a modal's inputs at most five."""
    if not isinstance(body, dict):
        return {}
    data = body.get("data")
    if body.get("type") == 9 and isinstance(data, dict):
        rows = data.get("components") or []
        if len(rows) > MODAL_INPUTS:
            return {"data.components": _too_long("data.components", MODAL_INPUTS)}
        return {}
    return message_problems(data, "data.")


@dataclass(slots=True)
class Interaction:
    created: float
    answered: bool = False


@dataclass(slots=True)
class Interactions:
    """Each interaction's clock: answered once, within 3 s; its token good for follow-ups for 15 minutes."""

    clock: Callable[[], float]
    known: dict[str, Interaction] = field(default_factory=dict)  # by id
    tokens: dict[str, str] = field(default_factory=dict)  # token -> id

    def created(self, interaction_id: str, token: str) -> None:
        self.known[interaction_id] = Interaction(self.clock())
        self.tokens[token] = interaction_id

    def answer(self, interaction_id: str) -> Refusal | None:
        interaction = self.known.get(interaction_id)
        if interaction is None or self.clock() - interaction.created > ANSWER_SECONDS:
            return Refusal(404, {"message": "Unknown interaction", "code": 10062})
        if interaction.answered:
            return Refusal(400, {"message": "Interaction has already been acknowledged.", "code": 40060})
        interaction.answered = True
        return None

    def follow_up(self, token: str) -> Refusal | None:
        interaction = self.known.get(self.tokens.get(token, ""))
        if interaction is None or self.clock() - interaction.created > FOLLOWUP_SECONDS:
            return Refusal(404, {"message": "Unknown Webhook", "code": 10015})
        return None


@dataclass(slots=True)
class _Window:
    started: float
    used: int = 0


@dataclass(slots=True)
class RateLimits:
    """Discord's buckets: per route and major parameter (the channel, the guild, the webhook), and one global.

    Off by default, so the tests that do not study them stay fast; `limit` sets a route's bucket (Discord's common
    one for sending messages is 5 per 5 s per channel) and `global_limit` the 50 requests a second of a bot.
    """

    clock: Callable[[], float]
    routes: dict[str, tuple[int, float]] = field(default_factory=dict)  # route -> (requests, per seconds)
    global_limit: tuple[int, float] | None = None
    _windows: dict[str, _Window] = field(default_factory=dict)
    hits: int = 0  # 429s answered

    def _take(self, key: str, limit: int, per: float) -> tuple[bool, int, float]:
        now = self.clock()
        window = self._windows.get(key)
        if window is None or now - window.started >= per:
            window = self._windows[key] = _Window(now)
        reset_after = max(0.0, per - (now - window.started))
        if window.used >= limit:
            return False, 0, reset_after
        window.used += 1
        return True, limit - window.used, reset_after

    def check(self, route: str, major: str) -> tuple[dict[str, str], dict[str, Any] | None]:
        """The headers for this request, and the 429 body if it must be refused."""
        if self.global_limit is not None:
            allowed, _, reset_after = self._take("global", *self.global_limit)
            if not allowed:
                self.hits += 1
                headers = {
                    "X-RateLimit-Global": "true",
                    "X-RateLimit-Scope": "global",
                    "Retry-After": _ceil(reset_after),
                    **VIA,
                }
                return headers, {"message": "You are being rate limited.", "retry_after": reset_after, "global": True}
        bucket = self.routes.get(route)
        if bucket is None:
            return {}, None
        limit, per = bucket
        name = f"{route.split(' ', 1)[1]}:{major}"
        allowed, remaining, reset_after = self._take(name, limit, per)
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",  # a moment on the wall clock, as Discord's
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": f"{zlib.crc32(route.encode()):08x}",
        }
        if allowed:
            return headers, None
        self.hits += 1
        headers |= {"X-RateLimit-Scope": "user", "Retry-After": _ceil(reset_after)} | VIA
        return headers, {"message": "You are being rate limited.", "retry_after": reset_after, "global": False}


def _ceil(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))
