"""Speech to text with faster-whisper and the multilingual Whisper base model, offline."""

from pathlib import Path
from typing import Any

import structlog

from adapters.speech.model_files import ModelMissing, whisper_base_dir
from adapters.speech.pcm import mono_16k_float
from adapters.speech.workers import Lazy, WorkerPool
from domain.errors import BackendUnavailable
from domain.speech import AudioClip, Transcript, language_code

log = structlog.get_logger(__name__)


class WhisperSpeechToText:
    """Whisper base through CTranslate2 (int8 on CPU). `language` None lets Whisper detect it (about 75% slower).

    `model_cache_dir` is where the model is assembled from its pip packages on first use (145 MB).
    The model is loaded once, on `warm_up()` or the first transcription, and shared by all calls.
    Transcriptions run one at a time in the backend's own thread (`cpu_threads` cores each); more
    wait in its queue.
    """

    name = "whisper"

    def __init__(
        self,
        model_cache_dir: Path,
        *,
        cpu_threads: int = 2,
        beam_size: int = 5,
        compute_type: str = "int8",
    ) -> None:
        self._model_cache_dir = model_cache_dir
        self._cpu_threads = cpu_threads
        self._beam_size = beam_size
        self._compute_type = compute_type
        self._model: Lazy[Any] = Lazy(self._load)
        self._workers = WorkerPool(self.name)

    async def warm_up(self) -> None:
        await self._workers.run(self._model.get)

    async def transcribe(self, clip: AudioClip, language: str | None) -> Transcript:
        return await self._workers.run(self._transcribe, clip, language)

    def close(self) -> None:
        self._workers.close()

    def _load(self) -> Any:
        from faster_whisper import WhisperModel  # heavy import: only when the backend is used

        model_dir = whisper_base_dir(self._model_cache_dir)
        log.info("speech.model_loading", backend=self.name, path=str(model_dir))
        return WhisperModel(
            str(model_dir),
            device="cpu",
            compute_type=self._compute_type,
            cpu_threads=self._cpu_threads,
            local_files_only=True,
        )

    def _transcribe(self, clip: AudioClip, language: str | None) -> Transcript:
        wanted = language_code(language) if language else None
        try:
            model = self._model.get()
            audio = mono_16k_float(clip)
            if audio.size == 0:
                return Transcript(text="", language=wanted or "", duration_seconds=0.0, backend=self.name)
            segments, info = model.transcribe(
                audio,
                language=wanted,
                beam_size=self._beam_size,
                # No timestamps to predict (faster), and no conditioning on the previous 30 s window,
                # which is what sends Whisper into repetition loops on long audio.
                without_timestamps=True,
                condition_on_previous_text=False,
            )
            # Segments are produced lazily: the work happens while joining them.
            text = " ".join(segment.text.strip() for segment in segments)
        except ModelMissing:
            raise
        except Exception as error:
            log.exception("speech.backend_failed", backend=self.name)
            raise BackendUnavailable("Speech recognition failed on this audio; please try again.") from error
        return Transcript(
            text=text.strip(),
            language=wanted or str(info.language),
            duration_seconds=clip.duration_seconds,
            backend=self.name,
        )
