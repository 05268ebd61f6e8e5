"""A long job's work, told as domain events: started, progressed, succeeded or failed.

The job publishes; subscribers (application/jobs/reports.py) turn the events into the progress message and the
outcome users see. So the work knows nothing of the chat, and telling never fails the job's bookkeeping.
"""

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import structlog

from application.jobs.publisher import EventPublisher
from application.jobs.runner import DataSource, JobInput, JobRequest
from domain.errors import ParrotError
from domain.events import Event, JobFailed, JobProgressed, JobRefused, JobStarted, JobSucceeded
from domain.messages import OutgoingFile
from domain.text import Text, say

T = TypeVar("T")

log = structlog.get_logger("parrot.jobs")

QUEUED = (0.0, "queued")  # a job's progress before the work port reports any


class ReportedJob:
    """A job's work told as events; a failure is told once, with its reason, and never escapes.

    Telling the outcome never fails the job: the caller's bookkeeping after `succeed` (selecting the dataset,
    events) runs whether or not the chat could be reached. On shutdown the job is cancelled and told so while
    the chat is still connected (the driver cancels jobs before it disconnects).
    """

    def __init__(self, publish: EventPublisher, job_id: str, request: JobRequest, interval: float) -> None:
        self._publish = publish
        self._job_id = job_id
        self._request = request
        self._interval = interval
        # The work port's latest (fraction, stage), read by the follower: a chatty backend costs at most one
        # progress event (one edit) per interval.
        self._latest = QUEUED
        self.failure: str | None = None

    def progressed(self, fraction: float, stage: str) -> None:
        """The work port's progress callback (called on the event loop): kept, and told by the follower."""
        self._latest = (max(0.0, min(1.0, fraction)), stage)

    async def stage(self, stage: str) -> None:
        """A stage of the job's own before it starts (downloading its data), told at once."""
        await self._tell(self._progressed(0.0, stage))

    async def data(self, ready: T | None, read: JobInput[T], source: DataSource) -> T | None:
        """The job's data: `ready` when the command could read it at once, else read here (an attachment is
        downloaded), in the job and never under the channel's lock, so a stalled download holds nothing.
        None once a refusal or failure was told."""
        if ready is not None:
            return ready
        await self.stage("downloading the data")
        return await self.prepare(read(self._request.space, source))

    async def prepare(self, work: Coroutine[Any, Any, T]) -> T | None:
        """`work`'s result (what the job needs, downloaded and checked), or None once its failure was told.

        Nothing has started yet: a refusal is a plain reply in its own words, as the bus tells any command's.
        """
        request = self._request
        try:
            return await work
        except ParrotError as refusal:
            self.failure = str(refusal.text)
            await self._tell(
                JobRefused(
                    request.space, self._job_id, request.kind, request.channel_id, request.asked_by, say(refusal.text)
                )
            )
        except asyncio.CancelledError:
            await self._fail("it was cancelled (the bot is shutting down).", "")
            raise
        except Exception:
            log.exception("job failed before it started", kind=request.kind)
            await self._fail("an internal error (logged).", "")
        finally:
            work.close()  # never awaited when the job was cancelled first: nothing is left half-begun
        return None

    async def run(self, started: Text | str, work: Coroutine[Any, Any, T], failed_note: str = "") -> T | None:
        """`work`'s result, or None once its failure has been told (`failed_note` is added to the reason)."""
        request = self._request
        follower: asyncio.Task[None] | None = None
        reason: Text | str
        try:
            await self._tell(
                JobStarted(
                    request.space, self._job_id, request.kind, request.channel_id, request.asked_by, say(started)
                )
            )
            follower = asyncio.create_task(self._follow())
            return await work
        except ParrotError as refusal:
            reason = refusal.text
        except asyncio.CancelledError:
            if follower is not None:
                follower.cancel()
            await self._fail("it was cancelled (the bot is shutting down).", failed_note)
            raise
        except Exception:
            log.exception("job failed", kind=request.kind)
            reason = "an internal error (logged)."
        finally:
            if follower is not None:
                follower.cancel()
            work.close()
        await self._fail(reason, failed_note)
        return None

    async def succeed(self, text: Text | str, file: OutgoingFile | None = None, file_text: str = "") -> None:
        request = self._request
        await self._tell(
            JobSucceeded(
                request.space,
                self._job_id,
                request.kind,
                request.channel_id,
                request.asked_by,
                say(text),
                file,
                file_text,
            )
        )

    async def _follow(self) -> None:
        """The job's progress when it changed: first after a quarter of the interval (a job that ends sooner is
        never edited, its outcome comes at once; a longer one shows its stage soon), then every interval."""
        told = QUEUED
        await asyncio.sleep(self._interval / 4)
        while True:
            now = self._latest
            if now != told:
                told = now
                await self._tell(self._progressed(*now))
            await asyncio.sleep(self._interval)

    def _progressed(self, fraction: float, stage: str) -> JobProgressed:
        return JobProgressed(self._request.space, self._job_id, self._request.kind, fraction, stage)

    async def _fail(self, reason: Text | str, note: str) -> None:
        request = self._request
        self.failure = str(reason)
        await self._tell(
            JobFailed(
                request.space, self._job_id, request.kind, request.channel_id, request.asked_by, say(reason), note
            )
        )

    async def _tell(self, event: Event) -> None:
        try:
            await self._publish(event)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("could not publish the job's event", job_id=self._job_id, event=type(event).__name__)
