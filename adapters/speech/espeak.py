"""Text to speech with eSpeak NG (formant synthesis): robotic but tiny, instant and multilingual.

Driven through its C API with ctypes, using the library and voice data bundled in `espeakng-loader`.
"""

import ctypes
import threading
from typing import Any

import espeakng_loader
import structlog

from adapters.speech.workers import Lazy, WorkerPool
from domain.errors import BackendUnavailable
from domain.speech import AudioClip, language_code

log = structlog.get_logger(__name__)

# From speak_lib.h
_AUDIO_OUTPUT_SYNCHRONOUS = 2  # espeak_Synth returns when done, samples arrive through the callback
_INITIALIZE_DONT_EXIT = 0x8000  # report a missing data path instead of exiting the process
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_RATE = 1  # espeak_PARAMETER espeakRATE, words per minute
_EE_OK = 0

_SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _Engine:
    """The library, initialised once. eSpeak NG keeps global state: every call goes through `lock`."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        library = ctypes.CDLL(espeakng_loader.get_library_path())
        library.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        library.espeak_Initialize.restype = ctypes.c_int
        library.espeak_SetSynthCallback.argtypes = [_SYNTH_CALLBACK]
        library.espeak_SetSynthCallback.restype = None
        library.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        library.espeak_SetVoiceByName.restype = ctypes.c_int
        library.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        library.espeak_SetParameter.restype = ctypes.c_int
        library.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
            ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]  # fmt: skip
        library.espeak_Synth.restype = ctypes.c_int
        data_path = espeakng_loader.get_data_path().encode()
        rate = library.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, _INITIALIZE_DONT_EXIT)
        self.sample_rate = int(rate)
        if self.sample_rate <= 0:
            raise BackendUnavailable("eSpeak NG could not start: its voice data was not found.")
        self._buffer = bytearray()
        # Kept on the instance: ctypes callbacks must outlive every call into the library.
        self._callback = _SYNTH_CALLBACK(self._collect)
        library.espeak_SetSynthCallback(self._callback)
        self._library: Any = library

    def _collect(self, samples: Any, count: int, _events: Any) -> int:
        if count > 0 and samples:
            self._buffer.extend(ctypes.string_at(samples, count * 2))
        return 0  # 0: go on synthesising

    def synthesize(self, text: str, voice: str, rate: int) -> bytes:
        """Blocking; the caller holds `lock`."""
        if self._library.espeak_SetVoiceByName(voice.encode()) != _EE_OK:
            raise LookupError(voice)
        self._library.espeak_SetParameter(_RATE, rate, 0)
        encoded = text.encode("utf-8") + b"\0"
        self._buffer = bytearray()
        status = self._library.espeak_Synth(encoded, len(encoded), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
        if status != _EE_OK:
            raise RuntimeError(f"espeak_Synth returned {status}")
        return bytes(self._buffer)


_ENGINE: Lazy[_Engine] = Lazy(_Engine)


class EspeakTextToSpeech:
    """Any language eSpeak NG knows (`ru-RU`, `de`, `en-US`...), 22,050 Hz mono; `rate` in words per minute."""

    name = "espeak"

    def __init__(self, *, rate: int = 160) -> None:
        self._rate = rate
        self._workers = WorkerPool(self.name)

    async def warm_up(self) -> None:
        await self._workers.run(_ENGINE.get)

    async def synthesize(self, text: str, language: str) -> AudioClip:
        return await self._workers.run(self._synthesize, text, language)

    def close(self) -> None:
        self._workers.close()

    def _synthesize(self, text: str, language: str) -> AudioClip:
        engine = _ENGINE.get()
        if not text.strip():
            return AudioClip(pcm=b"", sample_rate=engine.sample_rate)
        # eSpeak names voices by lower-case tags ("en-us"); try the full tag, then the bare language.
        candidates = dict.fromkeys([language.replace("_", "-").lower(), language_code(language)])
        with engine.lock:
            for voice in candidates:
                try:
                    pcm = engine.synthesize(text, voice, self._rate)
                except LookupError:
                    continue
                except Exception as error:
                    log.exception("speech.backend_failed", backend=self.name)
                    raise BackendUnavailable("eSpeak failed to speak this text.") from error
                return AudioClip(pcm=pcm, sample_rate=engine.sample_rate, channels=1)
        raise BackendUnavailable(f"eSpeak has no voice for the language {language!r}.")
