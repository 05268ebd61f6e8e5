"""Text to speech with gTTS (Google Translate's voice): online, many languages, natural sounding.

The MP3 it returns is decoded in memory: no file is written, so a failed request leaves nothing behind
(gTTS's own `save()` leaves an empty file when the request fails).
"""

import asyncio
import io
from typing import Any

import structlog
from gtts import gTTS

from adapters.speech.pcm import decode_mp3
from adapters.speech.workers import WorkerPool
from domain.errors import BackendUnavailable
from domain.speech import AudioClip, language_code

log = structlog.get_logger(__name__)


class _EndpointGtts(gTTS):  # type: ignore[misc]  # gTTS ships no types
    """gTTS builds its URL from a top-level domain only; this lets the whole URL be replaced (for tests)."""

    def __init__(self, text: str, *, lang: str, timeout: float, endpoint: str | None) -> None:
        super().__init__(text, lang=lang, timeout=timeout)
        self._endpoint = endpoint

    def _prepare_requests(self) -> list[Any]:
        requests = list(super()._prepare_requests())
        if self._endpoint is not None:
            for request in requests:
                request.prepare_url(self._endpoint, None)
        return requests


class GttsTextToSpeech:
    """`endpoint` None is Google's; `timeout` bounds the whole synthesis. Output: 24 kHz mono."""

    name = "gtts"

    def __init__(self, *, endpoint: str | None = None, timeout: float = 10.0, threads: int = 4) -> None:
        self._endpoint = endpoint
        self._timeout = timeout
        self._workers = WorkerPool(self.name, threads)

    async def warm_up(self) -> None:
        """Nothing to load."""

    async def synthesize(self, text: str, language: str) -> AudioClip:
        if not text.strip():
            return AudioClip(pcm=b"", sample_rate=24_000)
        try:
            # gTTS's timeout applies to each socket operation and each ~100-character part of the text;
            # this one bounds the whole reply.
            return await asyncio.wait_for(self._workers.run(self._synthesize, text, language), self._timeout + 1.0)
        except TimeoutError as error:
            raise BackendUnavailable(
                "Google's text to speech took too long to answer; please try again later."
            ) from error

    def close(self) -> None:
        self._workers.close()

    def _synthesize(self, text: str, language: str) -> AudioClip:
        try:
            speech = _EndpointGtts(text, lang=language_code(language), timeout=self._timeout, endpoint=self._endpoint)
        except ValueError as error:  # gTTS checks the language against its list before any request
            raise BackendUnavailable(f"Google's text to speech has no voice for the language {language!r}.") from error
        mp3 = io.BytesIO()
        try:
            speech.write_to_fp(mp3)
            return decode_mp3(mp3.getvalue())
        except Exception as error:
            # gTTSError for a refused request; requests' and PyAV's errors for a broken answer.
            log.warning("speech.backend_unavailable", backend=self.name, error=repr(error))
            raise BackendUnavailable("Google's text to speech could not be reached; please try again later.") from error
