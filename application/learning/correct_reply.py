from collections.abc import Sequence
from datetime import timedelta

from application.chat.arguments import require
from application.chat.permissions import PrivilegePolicy
from application.learning.conversation import ConversationMemory
from application.learning.corrections import CorrectionOverrides
from application.learning.uncertain import UncertainMessages
from application.messagebus import BusMessage
from application.ports.chat import ChatOutput
from application.ports.clock import Clock
from application.ports.storage import FeedbackLog
from domain.commands import CorrectReply
from domain.errors import InvalidArgument, NothingToCorrect, QuotaReached
from domain.events import ReplyCorrected
from domain.feedback import Correction, Exchange
from domain.text import Code, CommandRef, Quote, say


class CorrectReplyHandler:
    def __init__(
        self,
        chat: ChatOutput,
        log: FeedbackLog,
        conversation: ConversationMemory,
        overrides: CorrectionOverrides,
        uncertain: UncertainMessages,
        clock: Clock,
        max_chars: int,
        daily_cap: int = 50,
        policy: PrivilegePolicy | None = None,
    ) -> None:
        self._chat = chat
        self._log = log
        self._conversation = conversation
        self._overrides = overrides
        self._uncertain = uncertain
        self._clock = clock
        self._max_chars = max_chars
        self._daily_cap = daily_cap
        self._policy = policy or PrivilegePolicy()

    async def __call__(self, command: CorrectReply) -> Sequence[BusMessage]:
        message = command.message
        text = require(command.correction.strip(), "correct")
        if len(text) > self._max_chars:
            raise InvalidArgument(f"A correction is limited to {self._max_chars} characters; yours has {len(text)}.")
        exchange = self._exchange(command)
        if exchange is None:
            where = "the message you replied to is not one I answered" if message.reply_to else "I have not answered"
            raise NothingToCorrect(
                say(
                    f"There is nothing to correct: {where} in this channel recently. Ask me something, then ",
                    CommandRef("correct"),
                    " my reply.",
                )
            )
        if not exchange.keep_words:
            raise NothingToCorrect(
                say(
                    "That was said in voice chat, and this server keeps nothing of what is said there (",
                    CommandRef("settings voicelog"),
                    "), so I cannot note a correction for it. Type the question, then ",
                    CommandRef("correct"),
                    " my reply.",
                )
            )
        correction = Correction(
            user_text=exchange.user_text,
            bot_reply=exchange.reply_text,
            correction=text,
            author_id=message.author.id,
            guild_id=message.guild_id,
            channel_id=message.channel_id,
            reply_message_id=exchange.reply_message_id,
            created_at=self._clock.now(),
            answers_intent=exchange.intent if exchange.unanswered else None,
        )
        space = message.space
        # Anyone may add corrections and every plain message is looked up among them: each member's are capped.
        # Admins are not (they answer the review page's inbox in bulk, and may train on any data anyway).
        added = await self._overrides.added_since(space, message.author.id, correction.created_at - timedelta(days=1))
        if added >= self._daily_cap and not self._policy.allows(message):
            raise QuotaReached(
                f"You have added {added} corrections here in the last 24 hours, the most one member may "
                f"({self._daily_cap}); please try again tomorrow, or ask an admin to add them to the training data."
            )
        await self._log.append_correction(space, correction)
        await self._overrides.add(space, correction)
        self._uncertain.forget(space, exchange.user_text)
        # A reply that only named its intent is corrected with that intent's answer: say where it goes.
        becomes = (
            say(", where it becomes the answer of ", Code(correction.answers_intent))
            if correction.answers_intent is not None
            else ""
        )
        await self._chat.send_text(
            message.channel_id,
            say(
                'Thanks, noted. From now on I answer "',
                Quote(exchange.user_text, 100),
                '" with your correction, and it will be part of the next ',
                CommandRef("train"),
                becomes,
                ".",
            ),
            reply_to=message.id,
        )
        return [
            ReplyCorrected(
                space, correction, intent=exchange.intent or "", confidence=exchange.confidence, said=exchange.said
            )
        ]

    def _exchange(self, command: CorrectReply) -> Exchange | None:
        message = command.message
        if command.user_text.strip():
            # Named by the review page: the message and the reply it got, not one this channel remembers.
            return Exchange(
                user_message_id=message.id,
                user_text=command.user_text.strip(),
                reply_message_id=None,
                reply_text=command.bot_reply,
                channel_id=message.channel_id,
                intent=command.unanswered_intent or None,
                unanswered=bool(command.unanswered_intent),
            )
        return self._conversation.find(message.channel_id, message.reply_to)
