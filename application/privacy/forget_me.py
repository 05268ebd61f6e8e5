"""`forget me`: a member deletes what Parrot keeps about them, here and in their direct messages."""

from collections.abc import Sequence

from application.learning.conversation import ConversationMemory
from application.learning.corrections import CorrectionOverrides
from application.learning.uncertain import UncertainMessages
from application.messagebus import BusMessage
from application.ports.chat import ChatOutput
from application.ports.clock import Clock
from application.ports.storage import MemberRecords
from application.review.activity import ActivityLog
from domain.commands import ForgetMe
from domain.errors import InvalidArgument
from domain.spaces import Space
from domain.text import CommandRef, say


class ForgetMeHandler:
    """Feedback, corrections (and the answers they taught at once), thumbs-downs, unsure messages and the review
    inbox's entries (theirs or rated down by them), conversation memory, and the transcripts of what they said in
    voice channels (kept only where an admin turned `settings voicelog` on).

    Datasets and models stay: admins uploaded and trained them for the server. No audio is ever stored.
    An opt-out from listening stays too: forgetting it would make Parrot hear them again.

    What is stored goes in one transaction (MemberRecords); what is held in memory (corrections answered at once,
    unsure messages, the inbox's entries, conversation memory) is dropped after it.
    """

    def __init__(
        self,
        chat: ChatOutput,
        records: MemberRecords,
        overrides: CorrectionOverrides,
        uncertain: UncertainMessages,
        conversation: ConversationMemory,
        activity: ActivityLog,
        clock: Clock,
    ) -> None:
        self._chat = chat
        self._records = records
        self._overrides = overrides
        self._uncertain = uncertain
        self._conversation = conversation
        self._activity = activity
        self._clock = clock

    async def __call__(self, command: ForgetMe) -> Sequence[BusMessage]:
        message = command.message
        if command.target.strip().lower() != "me":
            raise InvalidArgument(
                say(
                    "I can only forget the one who asks: type ",
                    CommandRef("forget me"),
                    " to delete what I keep about you.",
                )
            )
        author = message.author.id
        spaces = [message.space]
        if not message.space.is_direct:
            spaces.append(Space(guild_id=None, dm_user_id=author))
        at = self._clock.now()
        # The inbox's entries are copies of the records counted here: removed, not counted again.
        forgotten = await self._activity.forget_author(
            spaces, author, lambda: self._records.forget_member(spaces, author, at)
        )
        unsure = 0
        for space in spaces:
            # Corrections answered at once from memory: reloaded from the log, now without theirs.
            self._overrides.forget(space)
            unsure += self._uncertain.forget_author(space, author)
        exchanges = self._conversation.forget_author(author)
        # Said only where there were some: most servers never keep voice chat's transcripts.
        voice = forgotten.voice_turns
        voice_note = f"And {_count(voice, 'voice chat transcript')}. " if voice else ""
        where = "in our direct messages" if message.space.is_direct else "in this server and in our direct messages"
        await self._chat.send_text(
            message.channel_id,
            say(
                f"Done: I deleted what I kept about you {where}: "
                f"{_count(forgotten.feedback, 'feedback message')}, {_count(forgotten.corrections, 'correction')}, "
                f"{_count(unsure, 'unsure message')}, {_count(exchanges, 'remembered exchange')}. "
                f"Also deleted: {_count(forgotten.thumbs_down, 'thumbs-down')}. ",
                voice_note,
                "I keep no audio. Datasets admins uploaded stay, as they belong to the server; ",
                CommandRef("privacy"),
                " says more.",
            ),
            reply_to=message.id,
        )
        return ()


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
