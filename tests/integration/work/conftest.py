"""A real redis-server for the distributed work queue's tests: one per session, emptied before each test."""

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.redis_server import RedisServer


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer(Path(tmp_path_factory.mktemp("redis"))) as server:
        yield server


@pytest.fixture
def redis(redis_server: RedisServer) -> RedisServer:
    if not redis_server.answers():
        redis_server.start()
    with socket.create_connection(("127.0.0.1", redis_server.port), timeout=2) as connection:
        connection.sendall(b"FLUSHALL\r\n")
        assert connection.recv(16).startswith(b"+OK")
    return redis_server
