"""Who is signed in: a session in a signed, expiring cookie, and one-time login links.

The cookie holds the user, the servers they may review and a CSRF token, signed with HMAC-SHA256 under a key
made at start-up (so a restart signs everyone out). Nothing in it is secret; it only must not be forged.
"""

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

COOKIE = "parrot_session"


@dataclass(frozen=True, slots=True)
class Guild:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Identity:
    """A signed-in user: `guilds` lists the servers they administer; None for the operator, who may see all."""

    user_id: int
    name: str
    guilds: tuple[Guild, ...] | None


@dataclass(frozen=True, slots=True)
class Session:
    identity: Identity
    csrf: str
    expires: float


class SessionCodec:
    def __init__(self, lifetime_seconds: float, key: bytes | None = None, now: Callable[[], float] = time.time) -> None:
        self._key = key or secrets.token_bytes(32)
        self._lifetime = lifetime_seconds
        self._now = now

    @property
    def lifetime_seconds(self) -> float:
        return self._lifetime

    def new(self, identity: Identity) -> Session:
        return Session(identity, secrets.token_urlsafe(24), self._now() + self._lifetime)

    def encode(self, session: Session) -> str:
        identity = session.identity
        guilds = None if identity.guilds is None else [[g.id, g.name[:100]] for g in identity.guilds[:60]]
        payload = {
            "u": identity.user_id,
            "n": identity.name[:100],
            "g": guilds,
            "c": session.csrf,
            "x": session.expires,
        }
        body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")
        return f"{body}.{self._sign(body)}"

    def decode(self, cookie: str | None) -> Session | None:
        """The session in `cookie`, or None when it is missing, forged, damaged or expired."""
        if not cookie or "." not in cookie:
            return None
        body, signature = cookie.rsplit(".", 1)
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        try:
            payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            expires = float(payload["x"])
            raw = payload["g"]
            guilds = None if raw is None else tuple(Guild(int(i), str(n)) for i, n in raw)
            identity = Identity(int(payload["u"]), str(payload["n"]), guilds)
            session = Session(identity, str(payload["c"]), expires)
        except (ValueError, KeyError, TypeError):
            return None
        return session if expires > self._now() else None

    def _sign(self, body: str) -> str:
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()


class LoginLinks:
    """One-time tokens that open a session: printed for the operator, each usable once."""

    def __init__(self) -> None:
        self._pending: dict[str, Identity] = {}

    def issue(self, identity: Identity) -> str:
        token = secrets.token_urlsafe(32)
        self._pending[token] = identity
        return token

    def redeem(self, token: str) -> Identity | None:
        for known in list(self._pending):
            if hmac.compare_digest(known, token):
                return self._pending.pop(known)
        return None
