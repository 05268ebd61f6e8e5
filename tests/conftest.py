import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from adapters.logs.setup import configure_logging
from support.app import AppHarness, build_app
from support.fake_discord.openapi import EXCEPTIONS
from tests import secrets

# Every log line of the session, rendered as in production (without redaction, so a leak shows).
SESSION_LOG = io.StringIO()

# Tests must never reach Discord or any other host; the configuration file of a developer is ignored too.
os.environ.pop("DISCORD_TOKEN", None)
os.environ["PARROT_CONFIG"] = os.devnull
# Speech models are assembled in the user's cache: here one temporary cache for the whole session, so the Whisper
# model (145 MB) is written once, whatever the number of data roots, and never into the developer's own cache.
# The processes tests start share it (tests/processes.py).
SESSION_CACHE = tempfile.TemporaryDirectory(prefix="parrot-test-cache-")
os.environ["XDG_CACHE_HOME"] = SESSION_CACHE.name


@pytest.fixture
def app(tmp_path: Path) -> AppHarness:
    """The application with in-memory storage and fake backends, driven by the fake Discord."""
    return build_app(tmp_path)


@pytest.fixture
def disk_app(tmp_path: Path) -> AppHarness:
    """The application with the real filesystem storage under a temporary data root."""
    return build_app(tmp_path / "data", in_memory=False)


@pytest.fixture
def captured_logs() -> Iterator[list[structlog.typing.EventDict]]:
    with structlog.testing.capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
        yield logs


def pytest_configure(config: pytest.Config) -> None:
    configure_logging("DEBUG", "json", secrets=(), stream=SESSION_LOG)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    text = SESSION_LOG.getvalue()
    leaked = [f"secret #{n}" for n, value in enumerate(secrets.ALL, start=1) if value in text]
    if leaked:
        print(f"\nSECRET LEAK: {', '.join(leaked)} appeared in the captured logs")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The differences from Discord's OpenAPI description that the fake Discord allows, each with its reason."""
    terminalreporter.section("Discord API spec: allowed differences")
    for allowance in EXCEPTIONS:
        terminalreporter.write_line(f"{allowance.name}: {allowance.why}")
