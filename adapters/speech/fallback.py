"""Several speech recognisers as one: each is tried in turn until one gives a transcript."""

from collections.abc import Sequence

import structlog

from application.ports.speech import SpeechToText
from domain.errors import BackendUnavailable
from domain.speech import AudioClip, Transcript

log = structlog.get_logger(__name__)


class FallbackSpeechToText:
    """Tries `backends` in order (say Google, then Whisper).

    A backend that is unavailable, or hears nothing, hands over to the next; the first non-empty
    transcript wins. When every backend heard nothing, that empty transcript is returned; when none
    could answer, BackendUnavailable.
    """

    def __init__(self, backends: Sequence[SpeechToText]) -> None:
        if not backends:
            raise ValueError("a fallback chain needs at least one speech-to-text backend")
        self._backends = tuple(backends)
        self.name = "+".join(backend.name for backend in self._backends)

    async def warm_up(self) -> None:
        for backend in self._backends:
            warm_up = getattr(backend, "warm_up", None)
            if warm_up is not None:
                await warm_up()

    async def transcribe(self, clip: AudioClip, language: str | None, among: Sequence[str] = ()) -> Transcript:
        empty: Transcript | None = None
        for backend in self._backends:
            try:
                transcript = await backend.transcribe(clip, language, among)
            except BackendUnavailable as error:
                log.info("speech.fallback", backend=backend.name, reason=error.user_message)
                continue
            if not transcript.is_empty:
                return transcript
            empty = empty or transcript
        if empty is not None:
            return empty
        raise BackendUnavailable("Speech recognition is unavailable right now; please try again later.")
