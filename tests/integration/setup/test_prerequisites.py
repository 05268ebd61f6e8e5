"""`make test`'s first step: what the tests need beyond .venv is there, or one line says what to run.

Driven with a PATH of shims, so a machine that has everything can still show what a fresh one without root meets.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from support.redis_server import packaged_server, server_binary
from support.shared_data import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "support" / "prerequisites.sh"


def shim(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def run_script(python: Path | str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["/bin/bash", str(SCRIPT), str(python)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": str(path)},
    )


def test_without_root_a_missing_server_stops_at_once_with_one_line_naming_the_command(tmp_path: Path) -> None:
    shims = tmp_path / "bin"
    shim(shims, "id", "echo 1000")  # not root, so nothing may be installed
    no_server = shim(tmp_path, "python-without-a-server", "exit 1")
    done = run_script(no_server, shims)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "redis-server" in lines[0]
    assert "sudo apt-get install" in lines[0]
    assert "then `make test` again" in lines[0]
    assert done.stdout == ""


def test_with_everything_there_it_says_nothing(tmp_path: Path) -> None:
    shims = tmp_path / "bin"
    shim(shims, "id", "echo 1000")
    if not Path("/usr/bin/chromium").is_file():
        # `make test` ran this script before pytest, so Chromium must be here; its absence is a broken setup.
        raise AssertionError("/usr/bin/chromium is missing although `make test` set it up first")
    festival = shutil.which("festival")
    if festival is None:
        raise AssertionError("festival is not on PATH although `make test` set it up first")
    # Festival is found on PATH, as the bot finds it; the shims' PATH must hold it too.
    (shims / "festival").symlink_to(festival)
    done = run_script(sys.executable, shims)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_the_packaged_server_is_preferred_to_one_on_path() -> None:
    packaged = packaged_server()
    if packaged is not None:
        assert server_binary() == str(packaged)
        version = subprocess.run([str(packaged), "--version"], capture_output=True, text=True, timeout=30)
        assert version.returncode == 0
        assert "v=" in version.stdout
    else:
        assert Path(server_binary()).name == "redis-server"
