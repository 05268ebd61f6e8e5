"""Bounding how long a backend may take, so one that hangs costs a reply, not the channel."""

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from domain.errors import BackendUnavailable

T = TypeVar("T")


def too_long(what: str, seconds: float) -> BackendUnavailable:
    """The answer to work past its deadline, the same wherever the work ran."""
    return BackendUnavailable(f"{what} took too long (over {seconds:g} s); please try again later.")


async def within(seconds: float, work: Awaitable[T], what: str) -> T:
    try:
        return await asyncio.wait_for(work, timeout=seconds)
    except TimeoutError:
        raise too_long(what, seconds) from None
