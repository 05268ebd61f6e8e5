from collections.abc import Sequence

import structlog

from application.chat.long_text import FILE_NOTE, FILE_NOTE_RU, send_long_text
from application.jobs.deadlines import within
from application.learning.active_models import ActiveModels
from application.learning.conversation import ConversationMemory
from application.learning.corrections import CorrectionOverrides
from application.learning.uncertain import UncertainMessages
from application.messagebus import BusMessage
from application.ports.chat import ChatOutput
from application.ports.storage import SettingsStore
from domain.catalogue import BY_NAME
from domain.commands import ReplyToMessage
from domain.events import ReplyProduced
from domain.feedback import Exchange
from domain.messages import Reply, ReplyAction
from domain.scripts import written_in_cyrillic
from domain.text import Code, CommandRef, Text, codes, say, with_commands

log = structlog.get_logger("parrot.replies")


class ReplyToMessageHandler:
    """Answers a message through the model, or says honestly that it cannot."""

    def __init__(
        self,
        chat: ChatOutput,
        models: ActiveModels,
        overrides: CorrectionOverrides,
        conversation: ConversationMemory,
        uncertain: UncertainMessages,
        settings: SettingsStore,
        answer_seconds: float = 15.0,
    ) -> None:
        self._chat = chat
        self._models = models
        self._overrides = overrides
        self._conversation = conversation
        self._uncertain = uncertain
        self._settings = settings
        self._answer_seconds = answer_seconds

    async def __call__(self, command: ReplyToMessage) -> Sequence[BusMessage]:
        message = command.message
        text = command.text.strip()
        # Files the model cannot read (anything but audio) are never dropped in silence: the author hears why, and
        # how to train on them instead.
        unread = tuple(a.filename for a in message.attachments if not a.is_audio)
        if unread:
            russian = written_in_cyrillic(text) is True or (
                not text and ((await self._settings.load(message.space)).language or "").startswith("ru")
            )
            await self._chat.send_text(message.channel_id, _cannot_read(unread, russian), reply_to=message.id)
        if not text:
            return ()
        # Words spoken in voice are kept (review inbox, unsure list, corrections) only where the space keeps voice
        # transcripts (`settings voicelog`); elsewhere they are answered and posted, and written nowhere.
        keep_words = not message.spoken or (await self._settings.load(message.space)).keep_voice_transcripts
        reply, guess = await self._answer(command, keep_words)
        if self._chat.is_gone(message.channel_id, message.id):
            # Deleted while it was answered (or heard): its author took it back, so the answer is not posted.
            log.info("the message was deleted; its reply is dropped", message_id=message.id)
            return ()
        # An unsure guess can be taught where it is seen (Discord: a "Teach me" button), as `correct` would; not a
        # spoken one whose words may not be kept, since teaching would write them down.
        unsure = not reply.confident and reply.intent is not None and keep_words
        actions = (ReplyAction.TEACH,) if unsure else ()
        note = FILE_NOTE_RU if written_in_cyrillic(reply.text) else FILE_NOTE
        sent = await send_long_text(
            self._chat, message.channel_id, reply.text, reply_to=message.id, actions=actions, file_note=note
        )
        reply = Reply(
            channel_id=reply.channel_id,
            text=reply.text,
            in_reply_to=reply.in_reply_to,
            message_id=sent,
            confident=reply.confident,
            intent=reply.intent,
            confidence=reply.confidence,
            said=reply.said,
            unanswered=reply.unanswered,
        )
        if unsure and reply.intent is not None and reply.confidence is not None:
            # Recorded once sent, with the reply's id: `feedback list` names the reply to correct (`/reply N`).
            self._uncertain.record(
                message.space,
                text,
                reply.intent,
                reply.confidence,
                message.author.id,
                answer=guess,
                reply_message_id=sent,
            )
        self._conversation.remember(
            Exchange(
                user_message_id=message.id,
                user_text=text,
                reply_message_id=sent,
                reply_text=reply.text,
                channel_id=message.channel_id,
                confidence=reply.confidence,
                intent=reply.intent,
                author_id=message.author.id,
                keep_words=keep_words,
                said=reply.said,
                unanswered=reply.unanswered,
            )
        )
        return [ReplyProduced(message, reply, text, keep_words)]

    async def _answer(self, command: ReplyToMessage, keep_words: bool) -> tuple[Reply, str | None]:
        """The reply, and when it is unsure, what the guessed intent would have answered."""
        message = command.message
        space = message.space
        text = command.text.strip()

        def reply(
            answer: Text | str,
            *,
            confident: bool,
            intent: str | None = None,
            confidence: float | None = None,
            unanswered: bool = False,
        ) -> Reply:
            # The reply keeps the words as this chat shows them: they are remembered, corrected and spoken.
            shown = self._chat.render(answer)
            return Reply(
                message.channel_id,
                shown,
                message.id,
                confident=confident,
                intent=intent,
                confidence=confidence,
                said=answer,
                unanswered=unanswered,
            )

        # Parrot's own words come in the language of the question: Russian when it is written in Cyrillic.
        russian = written_in_cyrillic(text) is True
        corrected = await self._overrides.lookup(space, text)
        if corrected is not None:
            return reply(corrected, confident=True, intent="correction", confidence=1.0), None
        active = await self._models.answering(space)  # the space's own model, else the starter
        if active is None:
            return reply(_not_taught(russian), confident=False), None
        _, model = active
        prediction = await within(self._answer_seconds, model.predict(text), "The model")
        if prediction.confident and prediction.answer:
            # Commands an answer mentions ("`!train`") are written with this chat's prefix.
            answer = with_commands(prediction.answer, BY_NAME)
            return reply(answer, confident=True, intent=prediction.intent, confidence=prediction.confidence), None
        if prediction.confident:
            # Data without answers: the intent itself is the most honest answer there is.
            sounds_like = say("Похоже, это ", Code(prediction.intent), ".") if russian else None
            sounds = reply(
                sounds_like or say("That sounds like ", Code(prediction.intent), "."),
                confident=True,
                intent=prediction.intent,
                confidence=prediction.confidence,
                unanswered=True,
            )
            return sounds, None
        unsure = reply(
            _not_sure(russian) if keep_words else _not_sure_unteachable(russian),
            confident=False,
            intent=prediction.intent,
            confidence=prediction.confidence,
        )
        return unsure, prediction.answer


def _cannot_read(filenames: Sequence[str], russian: bool) -> Text:
    names = codes(filenames)
    if russian:
        return say(
            "Я слышу только аудиофайлы, поэтому ",
            names,
            " не прочитал. Чтобы обучить меня на файле, пришлите его с ",
            CommandRef("train"),
            ".",
        )
    return say(
        "I can only hear audio files, so I didn't read ",
        names,
        ". To train me on a file, send it with ",
        CommandRef("train"),
        ".",
    )


def _not_taught(russian: bool) -> Text:
    if russian:
        return say(
            "Меня ещё ничему не научили, поэтому ответить я не могу. Администратор может научить меня командой ",
            CommandRef("train"),
            " (приложите датасет или напишите после неё строки `вопрос => ответ`); ",
            CommandRef("help"),
            " покажет, как.",
        )
    return say(
        "I haven't been taught anything yet, so I can't answer that. An admin can teach me with ",
        CommandRef("train"),
        " (attach a dataset, or write `question => answer` lines after it); ",
        CommandRef("help"),
        " shows how.",
    )


def _not_sure(russian: bool) -> Text:
    if russian:
        return say(
            "Я не знаю, как на это ответить. Если вы знаете правильный ответ, научите меня: ",
            CommandRef("correct <ответ>"),
            ".",
        )
    return say(
        "I'm not sure how to answer that. If you know the right answer, teach me: ",
        CommandRef("correct <the answer>"),
        ".",
    )


def _not_sure_unteachable(russian: bool) -> Text:
    """Unsure of words that may not be kept (said in voice chat, voicelog off): `correct` would refuse them."""
    if russian:
        return say(
            "Я не знаю, как на это ответить. Администратор может научить меня командой ", CommandRef("train"), "."
        )
    return say("I'm not sure how to answer that. An admin can teach me with ", CommandRef("train"), ".")
