import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import structlog

from application.messagebus import APOLOGY, BusMessage, MessageBus
from domain.commands import Greet, ReplyToMessage
from domain.errors import NotFound
from domain.events import Event
from domain.messages import Message, Status
from support.scripted_discord import ScriptedDiscord


@dataclass(frozen=True, slots=True)
class Greeted(Event):
    """An event of this test's own: the bus routes any Event subclass to its subscribers."""

    message: Message


async def test_a_refusal_is_told_to_the_user_and_marked_failed() -> None:
    chat = ScriptedDiscord()

    async def refuse(command: Greet) -> Sequence[BusMessage]:
        raise NotFound("No such thing.")

    bus = MessageBus({Greet: refuse}, {}, chat)
    message = chat.message("!hi")
    await bus.handle(Greet(message))
    assert chat.replies_to(message)[0].text == "No such thing."
    assert (message.id, Status.FAILED) in chat.statuses


async def test_an_unexpected_error_is_logged_once_and_answered_with_an_apology() -> None:
    chat = ScriptedDiscord()

    async def crash(command: Greet) -> Sequence[BusMessage]:
        raise RuntimeError("disk on fire")

    bus = MessageBus({Greet: crash}, {}, chat)
    message = chat.message("!hi")
    with structlog.testing.capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
        await bus.handle(Greet(message))
    assert chat.replies_to(message)[0].text == APOLOGY
    failures = [entry for entry in logs if entry["log_level"] == "error"]
    assert len(failures) == 1
    assert failures[0]["command"] == "Greet" and failures[0]["message_id"] == message.id


async def test_one_failing_subscriber_does_not_stop_the_others_and_events_chain() -> None:
    chat = ScriptedDiscord()
    seen: list[str] = []

    async def greet(command: Greet) -> Sequence[BusMessage]:
        return [Greeted(command.message)]

    async def broken(event: Greeted) -> Sequence[BusMessage]:
        raise RuntimeError("subscriber bug")

    async def follow_up(event: Greeted) -> Sequence[BusMessage]:
        seen.append("follow-up")
        return [ReplyToMessage(event.message, "and then?")]

    async def reply(command: ReplyToMessage) -> Sequence[BusMessage]:
        seen.append(command.text)
        return ()

    bus = MessageBus({Greet: greet, ReplyToMessage: reply}, {Greeted: [broken, follow_up]}, chat)
    await bus.handle(Greet(chat.message("!hi")))
    assert seen == ["follow-up", "and then?"]


async def test_messages_of_one_channel_are_answered_in_order() -> None:
    chat = ScriptedDiscord()
    order: list[str] = []

    async def slow_then_fast(command: ReplyToMessage) -> Sequence[BusMessage]:
        await asyncio.sleep(0.05 if command.text == "first" else 0)
        order.append(command.text)
        return ()

    bus = MessageBus({ReplyToMessage: slow_then_fast}, {}, chat)
    first = ReplyToMessage(chat.message("first", channel_id=5), "first")
    second = ReplyToMessage(chat.message("second", channel_id=5), "second")
    other = ReplyToMessage(chat.message("other", channel_id=6), "other")
    await asyncio.gather(bus.handle(first), bus.handle(second), bus.handle(other))
    assert order.index("first") < order.index("second")
    assert order[0] == "other"
