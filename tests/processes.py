"""Running Parrot as a real process, the way a user does, with a clean environment."""

import os
import subprocess
import sys
from pathlib import Path

from support.shared_data import PROJECT_ROOT


def parrot_env(data_root: Path, **extra: str) -> dict[str, str]:
    """No configuration file, no token, logs at WARNING, data under `data_root`, the session's model cache."""
    # The session's cache (tests/conftest.py): the Whisper model is assembled once, not under each HOME.
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(data_root),
        "PARROT_CONFIG": os.devnull,
        "PARROT_STORAGE_DATA_ROOT": str(data_root),
        "PARROT_LOGGING_LEVEL": "WARNING",
    }
    if "XDG_CACHE_HOME" in os.environ:
        env["XDG_CACHE_HOME"] = os.environ["XDG_CACHE_HOME"]
    return env | extra


def run_parrot(*args: str, data_root: Path, stdin: str = "", **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=PROJECT_ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        env=parrot_env(data_root, **extra),
    )
