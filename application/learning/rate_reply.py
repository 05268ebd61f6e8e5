"""`RateReply`: a member's thumbs-down on a reply is kept in the feedback log and sent to the review inbox."""

from collections.abc import Sequence

from application.learning.conversation import ConversationMemory
from application.messagebus import BusMessage
from application.ports.clock import Clock
from application.ports.storage import FeedbackLog
from domain.commands import RateReply
from domain.events import ReplyRatedDown
from domain.feedback import ThumbsDown


class RateReplyHandler:
    """Says nothing in the chat: a reaction is a quiet gesture, and answering each one would be noise."""

    def __init__(self, log: FeedbackLog, conversation: ConversationMemory, clock: Clock) -> None:
        self._log = log
        self._conversation = conversation
        self._clock = clock

    async def __call__(self, command: RateReply) -> Sequence[BusMessage]:
        message = command.message
        exchange = self._conversation.find(message.channel_id, command.reply_id)
        if exchange is None or exchange.reply_message_id != command.reply_id:
            # Not a reply to a message (a help text, a reply from before a restart): nothing to review.
            return ()
        if not exchange.keep_words:
            # Words spoken in voice where the space keeps none of them: a rating would write them down.
            return ()
        rating = ThumbsDown(
            user_text=exchange.user_text,
            bot_reply=exchange.reply_text,
            intent=exchange.intent or "",
            confidence=exchange.confidence if exchange.confidence is not None else 0.0,
            author_id=message.author.id,
            asker_id=exchange.author_id,
            guild_id=message.guild_id,
            channel_id=message.channel_id,
            reply_message_id=command.reply_id,
            created_at=self._clock.now(),
        )
        await self._log.append_thumbs_down(message.space, rating)
        return [ReplyRatedDown(message.space, rating, said=exchange.said, unanswered=exchange.unanswered)]
