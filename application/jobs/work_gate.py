"""A bounded queue in front of heavy work: past it, users are told to try again instead of memory growing."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from domain.errors import Busy


class WorkGate:
    def __init__(self, running: int, waiting: int) -> None:
        self._slots = asyncio.Semaphore(running)
        self._capacity = running + waiting
        self._admitted = 0

    @property
    def admitted(self) -> int:
        return self._admitted

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self._admitted >= self._capacity:
            raise Busy()
        self._admitted += 1
        try:
            async with self._slots:
                yield
        finally:
            self._admitted -= 1
