"""Readying what a spoken turn needs when listening starts, so the first turn is no slower than the next.

`!listen on` asks for it and is answered at once: the warm-up is a `WarmUpJob` on the work port, run in the
background (on a `parrot worker` too, when jobs go over Redis). It readies the recogniser and the voices of the
space's languages. A failure is logged and listening goes on: the turn that needs the model loads it itself.
"""

import asyncio
import time

import structlog

from application.chat.languages import SpeechLanguages
from application.ports.work import WarmUpJob, WorkQueue
from domain.spaces import Space

log = structlog.get_logger("parrot.voice")


class VoiceWarmUp:
    def __init__(self, work: WorkQueue, languages: SpeechLanguages) -> None:
        self._work = work
        self._languages = languages
        # Held so the tasks are not collected while they run; one per space at a time (asking again meanwhile
        # would only queue the same work).
        self._running: dict[Space, asyncio.Task[None]] = {}
        self.last_seconds: float | None = None

    def warm(self, space: Space) -> None:
        """Start readying the space's recogniser and voices in the background; returns at once."""
        running = self._running.get(space)
        if running is not None and not running.done():
            return
        task = asyncio.create_task(self._warm(space), name=f"warm-up-{space.key}")
        self._running[space] = task
        task.add_done_callback(lambda done: self._forget(space, done))

    async def wait_idle(self) -> None:
        """Until every warm-up asked for so far is done (tests, benchmarks, shutdown)."""
        while self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def close(self) -> None:
        """Stop the warm-ups still running (the bot is stopping)."""
        for task in list(self._running.values()):
            task.cancel()
        await self.wait_idle()

    def _forget(self, space: Space, done: "asyncio.Task[None]") -> None:
        if self._running.get(space) is done:
            del self._running[space]

    async def _warm(self, space: Space) -> None:
        started = time.monotonic()
        try:
            languages = await self._languages.spoken_languages(space)
            await self._work.run(WarmUpJob(languages))
        except asyncio.CancelledError:
            raise
        except Exception as error:
            # Whatever it was (the queue busy or unreachable, a model missing), the first turn will say so itself.
            log.warning("speech warm-up failed", space=space.key, reason=type(error).__name__, exc_info=True)
            return
        self.last_seconds = time.monotonic() - started
        log.info("speech warmed up", space=space.key, languages=languages, seconds=round(self.last_seconds, 2))
