"""The async message bus: one handler per command, many subscribers per event.

A command's refusal (a ParrotError) is told to the user who asked; any other failure is
logged once with its context and answered with an apology, so no input can stop the bot.
An event subscriber's failure is logged without stopping the other subscribers.
"""

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeAlias

import structlog

from application.ports.chat import ChatOutput
from domain.commands import Command
from domain.errors import ParrotError
from domain.events import Event
from domain.messages import Status
from domain.text import Text

BusMessage: TypeAlias = Command | Event
CommandHandler: TypeAlias = Callable[[Any], Awaitable[Sequence[BusMessage]]]
EventHandler: TypeAlias = Callable[[Any], Awaitable[Sequence[BusMessage]]]

APOLOGY = "Sorry, something went wrong on my side. It has been logged; please try again later."

log = structlog.get_logger("parrot.bus")


class MessageBus:
    def __init__(
        self,
        command_handlers: Mapping[type[Command], CommandHandler],
        event_handlers: Mapping[type[Event], Sequence[EventHandler]],
        chat: ChatOutput,
        admit: Callable[[Command], None] | None = None,
    ) -> None:
        self._command_handlers = dict(command_handlers)
        # Runs before every command's handler; a refusal there is told like any other.
        self._admit = admit
        self._event_handlers = {kind: list(handlers) for kind, handlers in event_handlers.items()}
        self._chat = chat
        # Quick messages of one channel are handled one after another, so their replies keep their order.
        # A channel's lock lives only while someone holds or awaits it, so months of channels cost nothing.
        self._channel_locks: dict[int, tuple[asyncio.Lock, int]] = {}

    def admit(self, command: Command) -> None:
        """Raise the refusal `command` would get before its handler runs (drivers may ask ahead, see Discord)."""
        if self._admit is not None:
            self._admit(command)

    def subscribe(self, kind: type[Event], handler: EventHandler) -> None:
        self._event_handlers.setdefault(kind, []).append(handler)

    async def handle(self, message: BusMessage) -> None:
        if not isinstance(message, Command) or message.heavy:
            # Heavy work never holds its channel: quick commands behind it are answered at once, and its
            # replies quote the message they answer, so they may arrive in the order the work finishes.
            await self._drain(message)
            return
        channel = int(message.message.channel_id)
        lock, users = self._channel_locks.get(channel, (asyncio.Lock(), 0))
        self._channel_locks[channel] = (lock, users + 1)
        try:
            async with lock:
                await self._drain(message)
        finally:
            lock, users = self._channel_locks[channel]
            if users == 1:
                del self._channel_locks[channel]
            else:
                self._channel_locks[channel] = (lock, users - 1)

    async def _drain(self, first: BusMessage) -> None:
        queue: deque[BusMessage] = deque([first])
        while queue:
            current = queue.popleft()
            if isinstance(current, Command):
                queue.extend(await self._run_command(current))
            else:
                queue.extend(await self._run_event(current))

    async def _run_command(self, command: Command) -> Sequence[BusMessage]:
        handler = self._command_handlers.get(type(command))
        message = command.message
        with structlog.contextvars.bound_contextvars(
            command=type(command).__name__,
            guild_id=message.guild_id,
            channel_id=message.channel_id,
            user_id=message.author.id,
            message_id=message.id,
        ):
            if handler is None:
                log.error("no handler for command")
                await self._tell(command, APOLOGY, failed=True)
                return ()
            try:
                self.admit(command)
                produced = await handler(command)
            except ParrotError as refusal:
                log.info("command refused", reason=type(refusal).__name__)
                await self._tell(command, refusal.text, failed=True)
                return ()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("command failed")
                await self._tell(command, APOLOGY, failed=True)
                return ()
            log.debug("command handled", produced=[type(m).__name__ for m in produced])
            return produced

    async def _run_event(self, event: Event) -> Sequence[BusMessage]:
        produced: list[BusMessage] = []
        for handler in self._event_handlers.get(type(event), ()):
            try:
                produced.extend(await handler(event))
            except asyncio.CancelledError:
                raise
            except ParrotError as refusal:
                log.info("event subscriber refused", event_type=type(event).__name__, reason=refusal.user_message)
            except Exception:
                log.exception("event subscriber failed", event_type=type(event).__name__)
        return produced

    async def _tell(self, command: Command, text: Text | str, *, failed: bool) -> None:
        message = command.message
        try:
            await self._chat.send_text(message.channel_id, text, reply_to=message.id)
            if failed:
                await self._chat.set_status(message.channel_id, message.id, Status.FAILED)
        except Exception:
            # The chat itself is down: nothing more can be told, but the bot must carry on.
            log.exception("could not tell the user")
