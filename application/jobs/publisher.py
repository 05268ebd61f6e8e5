"""Lets background work (training jobs, voice sessions) put events on the bus built after it."""

from collections.abc import Awaitable, Callable

from domain.events import Event

Publish = Callable[[Event], Awaitable[None]]


class EventPublisher:
    def __init__(self) -> None:
        self._publish: Publish | None = None

    def connect(self, publish: Publish) -> None:
        self._publish = publish

    async def __call__(self, event: Event) -> None:
        if self._publish is None:
            raise RuntimeError("the event publisher is not connected to a bus")
        await self._publish(event)
