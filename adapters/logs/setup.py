"""One logging set-up: JSON when not on a terminal, readable console output otherwise."""

import logging
import os
import sys
from collections.abc import Iterable, MutableMapping
from pathlib import Path
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from domain.redaction import mask_urls_in

REDACTED = "********"


class SecretRedactor:
    """Replaces every known secret value wherever it appears in a log line: a last line of defence.

    Credentials inside URLs (`user:password@`, `?key=...`) are masked too, whether known or not.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = [s for s in secrets if len(s) >= 6]

    def add(self, secret: str) -> None:
        if len(secret) >= 6:
            self._secrets.append(secret)

    def __call__(self, logger: WrappedLogger, name: str, event: EventDict) -> EventDict:
        return {key: self._scrub(value) for key, value in event.items()}

    def _scrub(self, value: Any) -> Any:
        if isinstance(value, BaseException):
            value = repr(value)  # what the renderer would print, but masked
        if isinstance(value, str):
            value = mask_urls_in(value)
            for secret in self._secrets:
                if secret in value:
                    value = value.replace(secret, REDACTED)
            return value
        if isinstance(value, MutableMapping):
            return {k: self._scrub(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self._scrub(v) for v in value)
        return value


def configure_logging(
    level: str = "INFO",
    output_format: str = "auto",
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> SecretRedactor:
    stream = stream or sys.stderr
    as_json = output_format == "json" or (output_format == "auto" and not stream.isatty())
    redactor = SecretRedactor(secrets)
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]
    renderer: Processor = (
        structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer(colors=stream.isatty())
    )
    # Loggers used before keep the list of processors they were built with (cache_logger_on_first_use): it is
    # changed in place, so configuring again still reaches them (and so does structlog's capture_logs).
    processors = structlog.get_config()["processors"]
    # Dropping lines below the level first spares every message the cost of rendering them.
    processors[:] = [structlog.stdlib.filter_by_level, *shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter]
    structlog.configure(
        processors=processors,
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # Tracebacks become text before redaction, so a URL or secret in them is masked too.
            structlog.processors.format_exc_info,
            redactor,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    # discord.py is chatty at INFO about gateway internals; its warnings still come through.
    logging.getLogger("discord").setLevel(max(logging.getLevelName(level), logging.WARNING))
    return redactor


def open_log_file(path: Path) -> TextIO:
    """A log file to append to, private (0600 in 0700 folders it makes) whatever the umask: it holds users' text."""
    missing = [folder for folder in (path.parent, *path.parent.parents) if not os.path.lexists(folder)]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
        folder.chmod(0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "a", encoding="utf-8")
