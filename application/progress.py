"""A long job's work, told as domain events: started, progressed, succeeded or failed.

The job publishes; subscribers (application/job_reports.py) turn the events into the progress message and the
outcome users see. So the work knows nothing of the chat, and telling never fails the job's bookkeeping.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog

from application.jobs import Job
from application.publisher import EventPublisher
from domain.errors import ParrotError
from domain.events import Event, JobFailed, JobProgressed, JobRefused, JobStarted, JobSucceeded
from domain.ids import ChannelId, MessageId
from domain.messages import OutgoingFile
from domain.text import Text, say

T = TypeVar("T")

log = structlog.get_logger("parrot.jobs")


class ReportedJob:
    """A job's work told as events; a failure is told once, with its reason, and never escapes.

    Telling the outcome never fails the job: the caller's bookkeeping after `succeed` (selecting the dataset,
    events) runs whether or not the chat could be reached. On shutdown the job is cancelled and told so while
    the chat is still connected (the driver cancels jobs before it disconnects).
    """

    def __init__(
        self, publish: EventPublisher, job: Job, channel_id: ChannelId, asked_by: MessageId, interval: float
    ) -> None:
        self._publish = publish
        self._job = job
        self._channel_id = channel_id
        self._asked_by = asked_by
        self._interval = interval
        self.failure: str | None = None

    async def prepare(self, work: Callable[[], Awaitable[T]]) -> T | None:
        """`work()`'s result (what the job needs, downloaded and checked), or None once its failure was told.

        Nothing has started yet: a refusal is a plain reply in its own words, as the bus tells any command's.
        """
        job = self._job
        try:
            return await work()
        except ParrotError as refusal:
            job.stage = "failed"
            self.failure = str(refusal.text)
            await self._tell(
                JobRefused(job.space, job.id, job.kind, self._channel_id, self._asked_by, say(refusal.text))
            )
        except asyncio.CancelledError:
            await self._fail("it was cancelled (the bot is shutting down).", "")
            raise
        except Exception:
            log.exception("job failed before it started", kind=job.kind)
            await self._fail("an internal error (logged).", "")
        return None

    async def run(self, started: Text | str, work: Callable[[], Awaitable[T]], failed_note: str = "") -> T | None:
        """`work()`'s result, or None once its failure has been told (`failed_note` is added to the reason)."""
        job = self._job
        await self._tell(JobStarted(job.space, job.id, job.kind, self._channel_id, self._asked_by, say(started)))
        follower = asyncio.create_task(self._follow())
        reason: Text | str
        try:
            return await work()
        except ParrotError as refusal:
            reason = refusal.text
        except asyncio.CancelledError:
            follower.cancel()
            await self._fail("it was cancelled (the bot is shutting down).", failed_note)
            raise
        except Exception:
            log.exception("job failed", kind=job.kind)
            reason = "an internal error (logged)."
        finally:
            follower.cancel()
        await self._fail(reason, failed_note)
        return None

    async def succeed(self, text: Text | str, file: OutgoingFile | None = None, file_text: str = "") -> None:
        job = self._job
        job.stage = "done"
        await self._tell(
            JobSucceeded(job.space, job.id, job.kind, self._channel_id, self._asked_by, say(text), file, file_text)
        )

    async def _follow(self) -> None:
        """Every `interval`, the job's progress when it changed: its callback may run off the loop, so it is read."""
        job = self._job
        told: tuple[float, str] | None = None
        while True:
            await asyncio.sleep(self._interval)
            now = (job.fraction, job.stage)
            if now != told:
                told = now
                await self._tell(JobProgressed(job.space, job.id, job.kind, *now))

    async def _fail(self, reason: Text | str, note: str) -> None:
        job = self._job
        job.stage = "failed"
        self.failure = str(reason)
        await self._tell(JobFailed(job.space, job.id, job.kind, self._channel_id, self._asked_by, say(reason), note))

    async def _tell(self, event: Event) -> None:
        try:
            await self._publish(event)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("could not publish the job's event", job_id=self._job.id, event=type(event).__name__)
