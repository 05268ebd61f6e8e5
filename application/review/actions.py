"""Commands the review page sends: withdraw a correction, ignore inbox messages, keep an uploaded dataset."""

from collections.abc import Sequence

from application.learning.corrections import CorrectionOverrides
from application.learning.text_matching import normalise
from application.learning.training_data import TrainingData
from application.messagebus import BusMessage
from application.ports.chat import ChatOutput
from application.ports.clock import Clock
from application.ports.storage import FeedbackLog
from application.review.activity import ActivityLog
from domain.commands import IgnoreMessages, RetractCorrection, UploadDataset
from domain.errors import NotFound
from domain.text import Code, CommandRef, say


class RetractCorrectionHandler:
    def __init__(self, chat: ChatOutput, log: FeedbackLog, overrides: CorrectionOverrides, clock: Clock) -> None:
        self._chat = chat
        self._log = log
        self._overrides = overrides
        self._clock = clock

    async def __call__(self, command: RetractCorrection) -> Sequence[BusMessage]:
        message = command.message
        space = message.space
        key = normalise(command.user_text)
        if not any(normalise(c.user_text) == key for c in await self._log.list_corrections(space)):
            raise NotFound("There is no correction of that message.")
        await self._log.retract_correction(space, command.user_text, self._clock.now())
        # The table of corrections in force is rebuilt from the log on the next message.
        self._overrides.forget(space)
        await self._chat.send_text(
            message.channel_id,
            "The correction is withdrawn: the model answers that message again. The log keeps a record of it.",
            reply_to=message.id,
        )
        return ()


class IgnoreMessagesHandler:
    def __init__(self, chat: ChatOutput, activity: ActivityLog) -> None:
        self._chat = chat
        self._activity = activity

    async def __call__(self, command: IgnoreMessages) -> Sequence[BusMessage]:
        message = command.message
        count = await self._activity.ignore(message.space, command.texts)
        if count == 0:
            raise NotFound("None of those messages is waiting in the inbox.")
        noun = "message" if count == 1 else "messages"
        await self._chat.send_text(
            message.channel_id, f"Ignored {count} {noun}; they are listed under “ignored”.", reply_to=message.id
        )
        return ()


class UploadDatasetHandler:
    def __init__(self, chat: ChatOutput, data: TrainingData) -> None:
        self._chat = chat
        self._data = data

    async def __call__(self, command: UploadDataset) -> Sequence[BusMessage]:
        message = command.message
        dataset = await self._data.keep(message.space, command.attachment)
        await self._chat.send_text(
            message.channel_id,
            say(
                "Kept ",
                Code(dataset.name),
                f": {len(dataset.examples)} examples, {len(dataset.intents)} intents. Choose it with ",
                CommandRef("select_dataset"),
                " to train on it.",
            ),
            reply_to=message.id,
        )
        return ()
