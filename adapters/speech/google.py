"""Speech to text with Google's free web speech API (through SpeechRecognition): online, many languages.

It needs the internet and may be withdrawn by Google at any time: use it in a fallback chain ahead of
an offline backend, never alone in production.
"""

import asyncio
from collections.abc import Sequence

import speech_recognition as sr
import structlog

from adapters.speech.pcm import RECOGNITION_RATE, mono_16k
from adapters.speech.workers import WorkerPool
from domain.errors import BackendUnavailable
from domain.speech import AudioClip, Transcript, language_code

log = structlog.get_logger(__name__)

GOOGLE_SPEECH_ENDPOINT = "http://www.google.com/speech-api/v2/recognize"


class GoogleSpeechToText:
    """`endpoint` is replaceable (tests point it at a local server); `timeout` bounds a whole request.

    The API cannot detect the language: without one, `default_language` is asked for.
    """

    name = "google"

    def __init__(
        self,
        *,
        endpoint: str = GOOGLE_SPEECH_ENDPOINT,
        api_key: str | None = None,
        timeout: float = 10.0,
        default_language: str = "en-US",
        threads: int = 4,
    ) -> None:
        self._endpoint = endpoint
        self._api_key = api_key
        self._timeout = timeout
        self._default_language = default_language
        # Requests mostly wait on the network: several may be in flight.
        self._workers = WorkerPool(self.name, threads)

    async def warm_up(self) -> None:
        """Nothing to load."""

    async def transcribe(self, clip: AudioClip, language: str | None, among: Sequence[str] = ()) -> Transcript:
        tag = language or self._default_language
        try:
            # SpeechRecognition's timeout applies to each socket operation; this one bounds the whole
            # request, so a server that trickles bytes can't hold a reply for long.
            text = await asyncio.wait_for(self._workers.run(self._recognize, clip, tag), self._timeout + 1.0)
        except TimeoutError as error:
            raise self._unavailable("took too long to answer") from error
        return Transcript(
            text=text.strip(), language=language_code(tag), duration_seconds=clip.duration_seconds, backend=self.name
        )

    def close(self) -> None:
        self._workers.close()

    def _recognize(self, clip: AudioClip, tag: str) -> str:
        audio = sr.AudioData(mono_16k(clip).tobytes(), RECOGNITION_RATE, 2)
        recognizer = sr.Recognizer()
        recognizer.operation_timeout = self._timeout
        try:
            return str(recognizer.recognize_google(audio, key=self._api_key, language=tag, endpoint=self._endpoint))
        except sr.UnknownValueError:
            return ""  # the service heard nothing it could transcribe
        except (sr.RequestError, OSError) as error:  # OSError: a timeout while reading the answer
            log.warning("speech.backend_unavailable", backend=self.name, error=str(error))
            raise self._unavailable("could not be reached") from error
        except Exception as error:  # a malformed answer (JSON, fields) from the service
            log.warning("speech.backend_unavailable", backend=self.name, error=repr(error))
            raise self._unavailable("gave an answer I could not read") from error

    @staticmethod
    def _unavailable(why: str) -> BackendUnavailable:
        return BackendUnavailable(f"Google speech recognition {why}; please try again later.")
