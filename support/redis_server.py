"""A real `redis-server` on a free 127.0.0.1 port, without persistence, for tests and benchmarks.

Debian's `redis-server` package provides it (`.ci/run` installs it; see the README). Started and stopped
by its own pid; `restart` brings it back empty on the same port, as a crashed Redis without persistence would.
"""

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


class RedisServer:
    def __init__(self, folder: Path, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisServerMissing(
                "redis-server is not installed: `apt-get install redis-server` (Debian), as .ci/run does"
            )
        self._binary = binary
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
                raise RuntimeError(f"redis-server did not start on port {self.port} (see {self._folder}/redis.log)")
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
