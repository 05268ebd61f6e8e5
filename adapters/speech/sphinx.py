"""Speech to text with CMU Sphinx (pocketsphinx, through SpeechRecognition): offline, English only.

Far less accurate than Whisper (word error rate about 0.3-0.4 against 0.01), but light: a fallback
for machines where the Whisper model can't be installed.
"""

from collections.abc import Sequence

import speech_recognition as sr
import structlog

from adapters.speech.pcm import RECOGNITION_RATE, mono_16k
from adapters.speech.workers import WorkerPool
from domain.errors import BackendUnavailable
from domain.speech import AudioClip, Transcript, language_code

log = structlog.get_logger(__name__)


class SphinxSpeechToText:
    """English only; asked for another language it raises BackendUnavailable (a fallback chain moves on)."""

    name = "sphinx"

    def __init__(self) -> None:
        self._workers = WorkerPool(self.name)

    async def warm_up(self) -> None:
        """Nothing to load ahead: SpeechRecognition builds its decoder for each call (about 0.3 s)."""

    async def transcribe(self, clip: AudioClip, language: str | None, among: Sequence[str] = ()) -> Transcript:
        if language is not None and language_code(language) != "en":
            raise BackendUnavailable("The offline Sphinx recogniser only understands English.")
        return await self._workers.run(self._transcribe, clip)

    def close(self) -> None:
        self._workers.close()

    def _transcribe(self, clip: AudioClip) -> Transcript:
        audio = sr.AudioData(mono_16k(clip).tobytes(), RECOGNITION_RATE, 2)
        try:
            text = str(sr.Recognizer().recognize_sphinx(audio, language="en-US"))
        except sr.UnknownValueError:
            text = ""  # nothing recognisable: an empty transcript, not a failure
        except Exception as error:
            log.exception("speech.backend_failed", backend=self.name)
            raise BackendUnavailable("The offline Sphinx recogniser failed; please try again.") from error
        return Transcript(text=text.strip(), language="en", duration_seconds=clip.duration_seconds, backend=self.name)
