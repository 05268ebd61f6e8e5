from collections.abc import Sequence

from application.chat.arguments import require
from application.chat.long_text import send_long_text
from application.learning.starter import intent_name
from application.learning.uncertain import UncertainMessage, UncertainMessages
from application.messagebus import BusMessage
from application.ports.chat import ChatOutput
from application.ports.clock import Clock
from application.ports.storage import FeedbackLog
from domain.commands import ListFeedback, SubmitFeedback
from domain.errors import InvalidArgument
from domain.events import FeedbackSubmitted
from domain.feedback import Feedback
from domain.text import Code, CommandRef, MessageRef, Part, Quote, Replying, Strong, Text, join_lines, say


class SubmitFeedbackHandler:
    def __init__(self, chat: ChatOutput, log: FeedbackLog, clock: Clock, max_chars: int) -> None:
        self._chat = chat
        self._log = log
        self._clock = clock
        self._max_chars = max_chars

    async def __call__(self, command: SubmitFeedback) -> Sequence[BusMessage]:
        message = command.message
        text = require(command.text.strip(), "feedback")
        if len(text) > self._max_chars:
            raise InvalidArgument(f"Feedback is limited to {self._max_chars} characters; yours has {len(text)}.")
        feedback = Feedback(
            text=text,
            author_id=message.author.id,
            author_name=message.author.shown_name,
            guild_id=message.guild_id,
            channel_id=message.channel_id,
            created_at=self._clock.now(),
        )
        await self._log.append_feedback(message.space, feedback)
        await self._chat.send_text(
            message.channel_id,
            say("Thank you for the feedback, ", Quote(message.author.shown_name, 80), "! It is kept."),
            reply_to=message.id,
        )
        return [FeedbackSubmitted(message.space, feedback)]


class ListFeedbackHandler:
    def __init__(
        self,
        chat: ChatOutput,
        log: FeedbackLog,
        uncertain: UncertainMessages,
    ) -> None:
        self._chat = chat
        self._log = log
        self._uncertain = uncertain

    async def __call__(self, command: ListFeedback) -> Sequence[BusMessage]:
        message = command.message
        space = message.space
        feedback = await self._log.list_feedback(space, 20)
        lines: list[Text | str] = (
            [say(Strong("Latest feedback"), f" ({len(feedback)}):")] if feedback else ["No feedback yet."]
        )
        for item in feedback:
            when = item.created_at.strftime("%Y-%m-%d %H:%M")
            # Feedback is anyone's text: quoted, so that an unclosed ``` or a link cannot change the rest of the list.
            lines.append(say(f"- {when} ", Quote(item.author_name, 80), ": ", Quote(item.text)))
        unsure = self._uncertain.least_sure(space, 10)
        if unsure:
            lines.append(
                say(
                    Strong("Messages I was least sure about"),
                    " (answer one with ",
                    Replying(CommandRef("correct <the answer>")),
                    "):",
                )
            )
            for entry in unsure:
                lines.append(
                    say(f'- {entry.confidence:.0%} "', Quote(entry.text), '"', *_reply(entry), ": ", *_guess(entry))
                )
        await send_long_text(
            self._chat, message.channel_id, join_lines(lines), reply_to=message.id, filename="feedback.txt"
        )
        return ()


def _reply(entry: UncertainMessage) -> tuple[Part, ...]:
    return (MessageRef(entry.reply_message_id),) if entry.reply_message_id is not None else ()


def _guess(entry: UncertainMessage) -> tuple[Part, ...]:
    """What the guess would have said, which is what the reader can judge; the intent's name only without one."""
    if entry.answer:
        return ('I would have said "', Quote(entry.answer, 200), '"')
    return ("I guessed ", Code(intent_name(entry.intent)))
