"""A chat message that shows a long job's progress by being edited."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog

from application.jobs import Job
from application.ports.chat import ChatOutput, MessageGone
from domain.errors import ParrotError
from domain.ids import ChannelId, MessageId
from domain.messages import Status
from domain.text import Text, say

T = TypeVar("T")

log = structlog.get_logger("parrot.jobs")


class ProgressMessage:
    """One chat message edited as a job advances, at most every `interval` seconds.

    Someone may delete it while the job runs: then it is no longer edited, and the outcome comes as a new message
    (replying to `reply_to`), so that the user always learns how the job ended.
    """

    def __init__(
        self,
        chat: ChatOutput,
        job: Job,
        channel_id: ChannelId,
        message_id: MessageId,
        title: str,
        reply_to: MessageId | None = None,
    ) -> None:
        self._chat = chat
        self._job = job
        self._channel_id = channel_id
        self._message_id = message_id
        self._title = title
        self._reply_to = reply_to
        self._shown = ""
        self.gone = False

    def render(self) -> str:
        filled = int(self._job.fraction * 10)
        bar = "█" * filled + "░" * (10 - filled)
        return f"{self._title} `{self._job.id}`: {bar} {self._job.fraction:.0%} ({self._job.stage})"

    async def refresh(self) -> None:
        text = self.render()
        if text != self._shown and not self.gone:
            self._shown = text
            await self._edit(text)

    async def follow(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.refresh()
            except Exception:
                log.warning("could not update the progress message", exc_info=True)

    async def finish(self, text: Text | str) -> None:
        """Show the outcome: in the progress message, or in a new one when that message was deleted."""
        if not self.gone:
            await self._edit(text)
        if self.gone:
            await self._chat.send_text(self._channel_id, text, reply_to=self._reply_to)

    async def _edit(self, text: Text | str) -> None:
        try:
            await self._chat.edit_text(self._channel_id, self._message_id, text)
        except MessageGone:
            log.info("the progress message was deleted; the outcome will be a new message", job_id=self._job.id)
            self.gone = True


class ReportedJob:
    """A job's work shown in one progress message; a failure is told once, with its reason, and never escapes.

    Telling the outcome never fails the job: the caller's bookkeeping after `succeed` (selecting the dataset,
    events) runs whether or not the chat could be reached. On shutdown the job is cancelled and told so while
    the chat is still connected (the driver cancels jobs before it disconnects).
    """

    def __init__(
        self, chat: ChatOutput, job: Job, channel_id: ChannelId, asked_by: MessageId, title: str, interval: float
    ) -> None:
        self._chat = chat
        self._job = job
        self._channel_id = channel_id
        self._asked_by = asked_by
        self._title = title
        self._interval = interval
        self._progress: ProgressMessage | None = None
        self.failure: str | None = None

    async def run(self, started: Text | str, work: Callable[[], Awaitable[T]], failed_note: str = "") -> T | None:
        """`work()`'s result, or None once its failure has been shown (`failed_note` is added to the reason)."""
        first = await self._chat.send_text(self._channel_id, started, reply_to=self._asked_by)
        self._progress = ProgressMessage(self._chat, self._job, self._channel_id, first, self._title, self._asked_by)
        follower = asyncio.create_task(self._progress.follow(self._interval))
        try:
            return await work()
        except ParrotError as refusal:
            await self._fail(refusal.text, failed_note)
        except asyncio.CancelledError:
            await self._fail("it was cancelled (the bot is shutting down).", failed_note)
            raise
        except Exception:
            log.exception("job failed", title=self._title)
            await self._fail("an internal error (logged).", failed_note)
        finally:
            follower.cancel()
        return None

    async def succeed(self, text: str) -> None:
        self._job.stage = "done"
        await self._tell(text, Status.DONE)

    async def _fail(self, reason: Text | str, note: str) -> None:
        self._job.stage = "failed"
        self.failure = str(reason)
        await self._tell(say(f"{self._title} `{self._job.id}` failed: ", reason, note), Status.FAILED)

    async def _tell(self, text: Text | str, status: Status) -> None:
        try:
            if self._progress is not None:
                await self._progress.finish(text)
        except Exception:
            log.exception("could not tell the job's outcome", job_id=self._job.id, status=status.name)
        try:
            await self._chat.set_status(self._channel_id, self._asked_by, status)
        except Exception:
            log.exception("could not mark the job's message", job_id=self._job.id, status=status.name)
