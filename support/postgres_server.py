"""A real PostgreSQL server on a free 127.0.0.1 port, in a temporary folder, for tests and benchmarks.

No registry ships a PostgreSQL server, so it is Debian's `postgresql` package (`support/prerequisites.sh`
installs it when it runs as root): its `initdb` and `pg_ctl` under `/usr/lib/postgresql/<version>/bin`, the
newest version first. `start` makes a new cluster in its own temporary folder (UTF-8, the C locale, trust
authentication for 127.0.0.1 only, the Unix socket inside that folder, nothing flushed to disk: a test's data
need not survive a power cut), starts it, waits until it answers and creates the `parrot` database; `stop` stops
it (`pg_ctl stop -m fast`) and removes the folder.

PostgreSQL refuses to run as root. As root (CI, a container) the cluster's folder belongs to the `postgres`
system user that Debian's package creates, and `initdb` and `pg_ctl` run as that user (`runuser`); as any other
user they run as that user. Clients connect over TCP as the role `postgres` whoever started the server.
"""

import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from support.redis_server import free_port

DEBIAN_ROOT = Path("/usr/lib/postgresql")
SUPERUSER = "postgres"
DEFAULT_DATABASE = "parrot"
# A database name that needs no quoting anywhere: what `create_database` accepts.
DATABASE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# For speed: a test cluster never has to survive a crash of the machine.
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "64MB",
    "log_min_messages": "warning",
}


class PostgresServerMissing(RuntimeError):
    pass


def _version(folder: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in folder.name.split(".") if part.isdigit())


def server_binaries() -> Path:
    """The `bin` folder holding `initdb`, `pg_ctl` and `psql`: Debian's newest version, else the ones on PATH."""
    if DEBIAN_ROOT.is_dir():
        versions = sorted(
            (folder for folder in DEBIAN_ROOT.iterdir() if (folder / "bin" / "initdb").is_file()),
            key=_version,
            reverse=True,
        )
        if versions:
            return versions[0] / "bin"
    initdb = shutil.which("initdb")
    if initdb is not None and shutil.which("pg_ctl") is not None:
        return Path(initdb).parent
    raise PostgresServerMissing(
        f"no PostgreSQL server (no initdb under {DEBIAN_ROOT}/<version>/bin nor on PATH): `make test` installs "
        "Debian's `postgresql` when it runs as root; by hand: `sudo apt-get install postgresql`"
    )


def _run_as() -> pwd.struct_passwd | None:
    """The user the server runs as when we are root, who cannot run it; None when we can run it ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SUPERUSER)
    except KeyError:
        raise PostgresServerMissing(
            f"PostgreSQL refuses to run as root and there is no `{SUPERUSER}` user to run it as: "
            "Debian's `postgresql` package creates it (`apt-get install postgresql`)"
        ) from None


def postgres_missing() -> str | None:
    """Why no test server can start here, or None: the check `support/prerequisites.sh` makes."""
    try:
        server_binaries()
        _run_as()
    except PostgresServerMissing as missing:
        return str(missing)
    return None


@dataclass(frozen=True)
class PostgresDatabase:
    """One database on the test server: its name, its SQLAlchemy URL and the libpq form asyncpg takes."""

    name: str
    url: str
    dsn: str


class PostgresServer:
    def __init__(self, port: int | None = None) -> None:
        self._binaries = server_binaries()
        self._user = _run_as()
        self.port = port or free_port()
        self._folder: Path | None = None

    @property
    def folder(self) -> Path:
        """The cluster's temporary folder: data, socket and log; gone once the server is stopped."""
        if self._folder is None:
            raise RuntimeError("the PostgreSQL server is not started")
        return self._folder

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the `parrot` database made at start."""
        return self.database_url(DEFAULT_DATABASE)

    def database_url(self, database: str) -> str:
        return f"postgresql+asyncpg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str = DEFAULT_DATABASE) -> str:
        """The libpq form of the same address, which asyncpg and psql take."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        folder = Path(tempfile.mkdtemp(prefix="parrot-postgres-"))
        self._folder = folder
        try:
            if self._user is not None:
                os.chown(folder, self._user.pw_uid, self._user.pw_gid)
            data = folder / "data"
            self._server_tool(
                "initdb",
                "--pgdata",
                str(data),
                "--username",
                SUPERUSER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--no-sync",
            )
            # Only TCP from 127.0.0.1: no socket logins, no other host.
            (data / "pg_hba.conf").write_text("host all all 127.0.0.1/32 trust\n")
            settings = {**SETTINGS, "port": str(self.port), "unix_socket_directories": f"'{folder}'"}
            with (data / "postgresql.conf").open("a") as conf:
                conf.write("\n# support/postgres_server.py\n")
                conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
            self._server_tool("pg_ctl", "--pgdata", str(data), "--log", str(folder / "server.log"), "--wait", "start")
            self._wait_until_it_answers()
            self.create_database(DEFAULT_DATABASE)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        folder = self._folder
        if folder is None:
            return
        try:
            if (folder / "data" / "postmaster.pid").exists():
                self._server_tool("pg_ctl", "--pgdata", str(folder / "data"), "--mode", "fast", "--wait", "stop")
        finally:
            self._folder = None
            shutil.rmtree(folder, ignore_errors=True)

    def create_database(self, name: str) -> PostgresDatabase:
        """A new empty database, by a name that needs no quoting."""
        if not DATABASE_NAME.fullmatch(name):
            raise ValueError(f"not a plain database name: {name!r}")
        self.sql(f"CREATE DATABASE {name}")
        return PostgresDatabase(name, self.database_url(name), self.dsn(name))

    def drop_database(self, name: str) -> None:
        """Drops it even while clients are still connected (they are disconnected)."""
        if not DATABASE_NAME.fullmatch(name):
            raise ValueError(f"not a plain database name: {name!r}")
        self.sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def sql(self, statement: str, database: str = "postgres") -> str:
        """One statement through psql over TCP, outside any transaction; what it printed, unaligned."""
        psql = [str(self._binaries / "psql"), "--no-psqlrc", "--tuples-only", "--no-align", "--set", "ON_ERROR_STOP=1"]
        done = subprocess.run(
            [*psql, "--dbname", self.dsn(database), "--command", statement],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if done.returncode != 0:
            raise RuntimeError(f"psql failed on {statement!r}: {done.stderr.strip()}")
        return done.stdout.strip()

    def answers(self) -> bool:
        done = subprocess.run(
            [str(self._binaries / "pg_isready"), "--host", "127.0.0.1", "--port", str(self.port), "--timeout", "1"],
            capture_output=True,
        )
        return done.returncode == 0

    def _wait_until_it_answers(self) -> None:
        deadline = time.monotonic() + 30
        while not self.answers():
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not answer on port {self.port} (see {self.folder}/server.log)")
            time.sleep(0.05)

    def _server_tool(self, tool: str, *arguments: str) -> None:
        command = [str(self._binaries / tool), *arguments]
        if self._user is not None:
            command = ["runuser", "-u", self._user.pw_name, "--", *command]
        # The cluster's folder as working directory: the postgres user may not be able to enter ours.
        done = subprocess.run(command, cwd=self.folder, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr.strip()}\n{tail}".rstrip())

    def __enter__(self) -> "PostgresServer":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
