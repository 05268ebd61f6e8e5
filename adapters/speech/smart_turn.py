"""Smart Turn v3.2: an end-of-turn model that hears whether a spoken utterance is complete (`EndOfTurn`).

The model reads 80 x 800 Whisper-style log-mel features: the last 8 s of the turn at 16 kHz, zero-padded at the
start when the turn is shorter, the waveform normalised to zero mean and unit variance first. faster-whisper's
numpy feature extractor (already here for recognition) computes them. It answers the probability that the
speaker has finished; above one half the turn ends. One call costs about 36 ms of one core (bench/voice.py
measures it per speaker), so it runs on one thread of its own, off the event loop, one ONNX thread inside.
"""

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from adapters.speech.workers import Lazy, WorkerPool
from domain.speech import AudioClip

SAMPLE_RATE = 16_000
WINDOW_SAMPLES = 8 * SAMPLE_RATE
THRESHOLD = 0.5


class SmartTurn:
    name = "smart-turn-v3.2"

    def __init__(self, model: Path, threshold: float = THRESHOLD) -> None:
        self._model = model
        self._threshold = threshold
        self._pool = WorkerPool("smart-turn", threads=1)
        self._loaded: Lazy[tuple[Any, Any]] = Lazy(self._load)

    async def warm_up(self) -> None:
        await self._pool.run(self._loaded.get)

    async def finished(self, clip: AudioClip) -> bool:
        return await self._pool.run(self.probability, clip) > self._threshold

    def probability(self, clip: AudioClip) -> float:
        """Blocking: the model's probability that the utterance is complete."""
        if clip.sample_rate != SAMPLE_RATE:
            raise ValueError(f"the end-of-turn model hears {SAMPLE_RATE} Hz audio, not {clip.sample_rate}")
        session, features = self._loaded.get()
        samples = np.frombuffer(clip.pcm[: len(clip.pcm) // 2 * 2], dtype="<i2").astype(np.float32) / np.float32(32768)
        window = _last_window(samples)
        window = (window - window.mean()) / np.sqrt(window.var() + 1e-7)
        mel = features(window, padding=0)  # (80, 800): the extractor drops the last of its 801 frames
        outputs = session.run(None, {"input_features": mel[np.newaxis].astype(np.float32)})
        return float(np.asarray(outputs[0]).reshape(-1)[0])

    def close(self) -> None:
        self._pool.close()

    def _load(self) -> tuple[Any, Any]:
        import onnxruntime
        from faster_whisper.feature_extractor import FeatureExtractor

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        session = onnxruntime.InferenceSession(str(self._model), options, providers=["CPUExecutionProvider"])
        return session, FeatureExtractor(feature_size=80, sampling_rate=SAMPLE_RATE, chunk_length=8)


def _last_window(samples: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """The last 8 s, or the whole turn after zeros: the model was trained on turns that end at the window's end."""
    if samples.size >= WINDOW_SAMPLES:
        return samples[-WINDOW_SAMPLES:]
    return np.concatenate([np.zeros(WINDOW_SAMPLES - samples.size, dtype=np.float32), samples])
