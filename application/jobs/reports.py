"""Subscribers that show a long job's events to the user who asked: one progress message edited as it advances.

The job publishes what happens to it (domain/events.py: JobStarted, JobProgressed, JobSucceeded, JobFailed), and
knows nothing of the chat; what users see is decided here. Someone may delete the progress message while the job
runs: then it is no longer edited, and the outcome comes as a new message replying to the command, so the user
always learns how the job ended. Nothing here raises into the job: its bookkeeping never depends on the chat.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import structlog

from application.messagebus import BusMessage
from application.ports.chat import ChatOutput, MessageGone
from domain.events import JobFailed, JobProgressed, JobRefused, JobStarted, JobSucceeded
from domain.ids import ChannelId, MessageId
from domain.messages import Status
from domain.text import Text, say

log = structlog.get_logger("parrot.jobs")

# What a job is called where users see it ("Training `train-1`: ...").
TITLES = {"train": "Training", "test": "Testing"}


def title(kind: str) -> str:
    return TITLES.get(kind, kind.capitalize())


def progress_bar(kind: str, job_id: str, fraction: float, stage: str) -> str:
    filled = int(fraction * 10)
    bar = "█" * filled + "░" * (10 - filled)
    return f"{title(kind)} `{job_id}`: {bar} {fraction:.0%} ({stage})"


@dataclass
class _Shown:
    channel_id: ChannelId
    asked_by: MessageId
    message_id: MessageId | None = None  # None until posted, or when posting it failed
    text: str = ""
    gone: bool = False


class JobReports:
    """One instance per bot: remembers each running job's progress message between its events."""

    def __init__(self, chat: ChatOutput) -> None:
        self._chat = chat
        self._shown: dict[str, _Shown] = {}

    async def on_started(self, event: JobStarted) -> Sequence[BusMessage]:
        shown = self._shown[event.job_id] = _Shown(event.channel_id, event.asked_by)
        try:
            shown.message_id = await self._chat.send_text(event.channel_id, event.text, reply_to=event.asked_by)
        except Exception:
            log.exception("could not post the progress message", job_id=event.job_id)
        return ()

    async def on_progressed(self, event: JobProgressed) -> Sequence[BusMessage]:
        shown = self._shown.get(event.job_id)
        text = progress_bar(event.kind, event.job_id, event.fraction, event.stage)
        if shown is None or shown.gone or shown.message_id is None or text == shown.text:
            return ()
        shown.text = text
        try:
            await self._edit(event.job_id, shown, shown.message_id, text)
        except Exception:
            log.warning("could not update the progress message", exc_info=True)
        return ()

    async def on_succeeded(self, event: JobSucceeded) -> Sequence[BusMessage]:
        await self._tell(event.job_id, event.channel_id, event.asked_by, event.text, Status.DONE)
        if event.file is not None:
            try:
                await self._chat.send_file(event.channel_id, event.file, text=event.file_text, reply_to=event.asked_by)
            except Exception:
                log.exception("could not send the job's file", job_id=event.job_id)
        return ()

    async def on_failed(self, event: JobFailed) -> Sequence[BusMessage]:
        text = say(f"{title(event.kind)} `{event.job_id}` failed: ", event.reason, event.note)
        await self._tell(event.job_id, event.channel_id, event.asked_by, text, Status.FAILED)
        return ()

    async def on_refused(self, event: JobRefused) -> Sequence[BusMessage]:
        await self._tell(event.job_id, event.channel_id, event.asked_by, event.reason, Status.FAILED)
        return ()

    async def _tell(
        self, job_id: str, channel_id: ChannelId, asked_by: MessageId, text: Text | str, status: Status
    ) -> None:
        """The outcome: in the progress message, or in a new one when it was deleted (or never posted)."""
        shown = self._shown.pop(job_id, None) or _Shown(channel_id, asked_by)
        try:
            if not shown.gone and shown.message_id is not None:
                await self._edit(job_id, shown, shown.message_id, text)
            if shown.gone or shown.message_id is None:
                await self._chat.send_text(channel_id, text, reply_to=asked_by)
        except Exception:
            log.exception("could not tell the job's outcome", job_id=job_id, status=status.name)
        try:
            await self._chat.set_status(channel_id, asked_by, status)
        except Exception:
            log.exception("could not mark the job's message", job_id=job_id, status=status.name)

    async def _edit(self, job_id: str, shown: _Shown, message_id: MessageId, text: Text | str) -> None:
        try:
            await self._chat.edit_text(shown.channel_id, message_id, text)
        except MessageGone:
            log.info("the progress message was deleted; the outcome will be a new message", job_id=job_id)
            shown.gone = True
