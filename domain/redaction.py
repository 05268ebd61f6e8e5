"""Credentials inside URLs, masked wherever a URL is printed, replied or logged. Standard library only.

A URL may carry a password (`https://user:secret@host/`) or a key in its query (`?key=...`, `?token=...`).
Configuration printouts, log lines and error messages show such URLs with those parts replaced by `***`.
"""

import re
from typing import Any
from urllib.parse import SplitResult, urlsplit

MASK = "***"

SECRET_PARAMETERS = frozenset(
    {
        "key",
        "api_key",
        "apikey",
        "api-key",
        "x-api-key",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "auth",
        "authorization",
        "password",
        "passwd",
        "pwd",
        "secret",
        "client_secret",
        "sig",
        "signature",
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
        "x-goog-signature",
        "x-goog-credential",
        "code",
        "session",
        "sessionid",
    }
)

# A URL with a scheme, up to whitespace or a character that usually closes it in prose or JSON.
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s\"'<>`]+")
# Credentials before a host without a scheme: `user:password@host` (an e-mail address has no colon).
_BARE_USERINFO = re.compile(r"(?<![\w/:@.\-])[^\s\"'<>`/@:]+:[^\s\"'<>`/]*@(?=[A-Za-z0-9\[])")
# `name=value` pairs of a query or fragment.
_PAIR = re.compile(r"([^&;=#?]+)=([^&;#]*)")


def mask_url(url: str) -> str:
    """`url` with its user-info and the values of secret query or fragment parameters replaced by `***`."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return _mask_bare(url)
    if not parts.scheme or not parts.netloc:
        return _mask_bare(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = MASK + "@" + netloc.rpartition("@")[2]
    return SplitResult(parts.scheme, netloc, parts.path, _mask_pairs(parts.query), _mask_pairs(parts.fragment)).geturl()


def mask_urls_in(text: str) -> str:
    """Every URL in a free text masked (see `mask_url`), and bare `user:password@host` credentials too."""
    if "@" not in text and "=" not in text:
        return text  # nothing a URL could hide a secret in: the common case stays cheap
    masked = _URL.sub(lambda match: mask_url(match.group(0)), text)
    return _mask_bare(masked)


def mask_urls_deep(value: Any) -> Any:
    """Strings anywhere inside dicts, lists and tuples masked with `mask_urls_in`; other values as they are."""
    if isinstance(value, str):
        return mask_urls_in(value)
    if isinstance(value, dict):
        return {key: mask_urls_deep(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(mask_urls_deep(item) for item in value)
    return value


def _mask_bare(text: str) -> str:
    return _BARE_USERINFO.sub(MASK + "@", text) if "@" in text else text


def _mask_pairs(query: str) -> str:
    if "=" not in query:
        return query

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"{name}={MASK}" if name.strip().casefold() in SECRET_PARAMETERS and match.group(2) else match.group(0)

    return _PAIR.sub(replace, query)
