"""Text to speech with Festival and Debian's Russian voice (`festvox-ru`, msu_ru_nsh_clunits), offline.

Festival is a program, not a library: one `festival --pipe` process is kept running with the voice loaded,
because starting one costs about 0.4 s before it says anything. Requests go to it one at a time (one worker
thread); each is a Scheme call whose reply comes back on the process's stdout as a WAV file followed by an
end marker, so no temporary file is ever written. A process that dies, hangs or answers nonsense is killed
and a new one is started at the next request: a failed sentence costs that sentence, never the bot.

Not on PyPI: `sudo apt-get install festival festvox-ru` (Debian, Ubuntu). Without it, `speech.tts = "auto"`
speaks Russian with eSpeak NG.
"""

import io
import os
import re
import select
import shutil
import subprocess
import threading
import time
import unicodedata
import wave
from collections import deque
from collections.abc import Callable
from pathlib import Path

import structlog

from adapters.speech.model_files import ModelMissing
from adapters.speech.russian_text import normalise_russian
from adapters.speech.workers import WorkerPool
from domain.errors import BackendUnavailable
from domain.speech import AudioClip, language_code

log = structlog.get_logger(__name__)

INSTALL_HINT = "sudo apt-get install festival festvox-ru"
RUSSIAN_VOICE = "msu_ru_nsh_clunits"
# Where Debian's festvox-ru puts the voice; Festival finds it there by itself.
RUSSIAN_VOICE_DIR = Path("/usr/share/festival/voices/russian") / RUSSIAN_VOICE

_DONE = b"PARROT-DONE\n"
_FAILED = b"PARROT-FAILED\n"
# Loaded once per process. `unwind-protect` runs its second form only when the first raises an error, so
# every request ends with the end marker, and a sentence Festival cannot say is told apart from a dead
# process. `(fflush nil)` flushes stdout, which is a pipe here and would otherwise hold the reply back.
_PRELUDE = f"""
(voice_{RUSSIAN_VOICE})
(define (parrot_say text)
  (unwind-protect
    (utt.save.wave (SynthText text) "-" 'riff)
    (format t "{_FAILED.decode().strip()}\\n"))
  (format t "{_DONE.decode().strip()}\\n")
  (fflush nil))
(format t "{_DONE.decode().strip()}\\n")
(fflush nil)
"""
_START_SECONDS = 30.0
_PRIMER = "Привет, я слушаю."
_HEAP_CELLS = 2_000_000
# Festival speaks a 300-character sentence in about 0.2 s on one core; the allowance is for a busy machine.
_BASE_SECONDS = 10.0
_SECONDS_PER_CHAR = 0.02
_STDERR_LINES = 20

# What the voice can say without failing: Cyrillic and Latin letters and digits inside words (with
# inner hyphens and apostrophes), and a few pause marks right after a word. Anything else (a stray "!",
# "«", "т.е." with its inner dot, "+", which Festival reads as a stress mark) makes it refuse the whole
# sentence, so it becomes a space. Checked one character at a time against Festival 2.5.
_WORD = re.compile(r"[0-9a-zа-яё]+(?:['-][0-9a-zа-яё]+)*", re.IGNORECASE)
# Festival phrases ";" and ":" as the end of a sentence, after which Whisper base often stops transcribing: said
# as commas, the starter's Russian answers were heard with CER 0.056 instead of 0.083 (bench/speech.py).
_PAUSE = {".": ".", ",": ",", "!": "!", "?": "?", ";": ",", ":": ","}
_TYPOGRAPHY = str.maketrans({"—": " ", "–": " ", "‐": "-", "‑": "-", "’": "'", "‘": "'", "…": "."})


class FestivalMissing(ModelMissing):
    """Festival or its Russian voice is not installed; the message says what to install."""


def festival_missing(binary: str = "festival", voice_dir: Path = RUSSIAN_VOICE_DIR) -> str | None:
    """Why Festival cannot speak Russian here (None: it can), read from the files alone, in microseconds."""
    if shutil.which(binary) is None:
        return f"Festival is not installed (no {binary!r} on PATH): run `{INSTALL_HINT}`."
    if not (voice_dir / "festvox" / f"{RUSSIAN_VOICE}.scm").is_file():
        return f"Festival's Russian voice is not installed (no {voice_dir}): run `{INSTALL_HINT}`."
    return None


def speakable(text: str) -> str:
    """`text` reduced to what the voice says without refusing: words, and one pause mark after a word."""
    text = unicodedata.normalize("NFC", text).translate(_TYPOGRAPHY)
    text = "".join(_plain_letter(char) for char in text)
    pieces: list[str] = []
    position = 0
    for word in [*_WORD.finditer(text), None]:
        between = text[position : word.start() if word is not None else len(text)]
        # The last mark of a run: "9.," (a number ending a quoted phrase) pauses as a comma, not a full stop.
        pause = next((_PAUSE[char] for char in reversed(between) if char in _PAUSE), "")
        if pieces and pause:
            pieces[-1] += pause
        if word is not None:
            pieces.append(word.group())
            position = word.end()
    return " ".join(pieces)


def _plain_letter(char: str) -> str:
    # Accented Latin letters lose their accent ("é" as "e"); Cyrillic letters are kept whole: decomposed,
    # "й" and "ё" would lose theirs.
    if "а" <= char.lower() <= "я" or char in "ёЁ" or char.isascii():
        return char
    decomposed = unicodedata.normalize("NFKD", char)
    base, marks = decomposed[:1], decomposed[1:]
    plain = base.isascii() and base.isalpha() and all(unicodedata.combining(mark) for mark in marks)
    return base if plain else " "


def scheme_string(text: str) -> str:
    """`text` as a Scheme string literal on one line: backslashes and quotes escaped, control characters spaces.

    `speakable` leaves none of these; this is what keeps a request one well-formed call whatever it is given.
    """
    escaped = "".join(" " if unicodedata.category(char) == "Cc" else char for char in text)
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Refused(Exception):
    """Festival answered, but could not say this text; the process is fine."""


class _FestivalProcess:
    """One running `festival --pipe` with the Russian voice loaded. Used from one thread at a time."""

    def __init__(self, binary: str) -> None:
        self._process = subprocess.Popen(  # noqa: S603  (the configured binary and fixed options; text goes by stdin)
            # A fifth of Festival's default Lisp heap: enough for the longest text allowed, and 250 MB less
            # resident (about 240 MB with the voice loaded, not 500; a sentence costs 4 ms more in collection).
            [binary, "--pipe", "--heap", str(_HEAP_CELLS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            # Festival's working directory is where it could write; it writes nothing, but not in ours either.
            cwd="/",
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._stdin = self._process.stdin
        self._stdout = self._process.stdout.fileno()
        self._buffer = bytearray()
        # Festival's complaints ("LTS_Ruleset: no rule matches"), kept for the log; read so the pipe never fills.
        self.stderr_tail: deque[str] = deque(maxlen=_STDERR_LINES)
        threading.Thread(target=self._drain_stderr, name="speech-festival-stderr", daemon=True).start()
        try:
            self._send(_PRELUDE.encode())
            self._expect(_DONE, time.monotonic() + _START_SECONDS)
        except BaseException:
            self.kill()
            raise

    @property
    def pid(self) -> int:
        return self._process.pid

    def is_running(self) -> bool:
        return self._process.poll() is None

    def say(self, text: str, timeout: float) -> bytes:
        """A WAV file of `text` (already speakable); raises _Refused, or OSError/TimeoutError when broken."""
        deadline = time.monotonic() + timeout
        self._send(f"(parrot_say {scheme_string(text)})\n".encode())
        head = self._read(4, deadline)
        if head == b"RIFF":
            size = int.from_bytes(self._read(4, deadline), "little")
            data = self._read(size, deadline)
            self._expect(_DONE, deadline)
            return head + size.to_bytes(4, "little") + data
        if head == _FAILED[:4]:
            self._expect(_FAILED[4:] + _DONE, deadline)
            raise _Refused(text)
        raise OSError(f"Festival answered {head!r} instead of a WAV file")

    def interrupt(self) -> None:
        """SIGKILL, from any thread: a request in flight sees the end of its output at once."""
        if self.is_running():
            self._process.kill()

    def kill(self) -> None:
        """Killed, reaped and its pipes closed; by the thread that uses it (stderr closes itself at its end)."""
        self.interrupt()
        self._process.wait()
        for pipe in (self._stdin, self._process.stdout):
            if pipe is not None:
                pipe.close()

    def _send(self, request: bytes) -> None:
        self._stdin.write(request)
        self._stdin.flush()

    def _expect(self, marker: bytes, deadline: float) -> None:
        got = self._read(len(marker), deadline)
        if got != marker:
            raise OSError(f"Festival answered {got!r} instead of {marker!r}")

    def _read(self, count: int, deadline: float) -> bytes:
        while len(self._buffer) < count:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._stdout], [], [], left)[0]:
                raise TimeoutError("Festival did not answer in time")
            chunk = os.read(self._stdout, 65536)
            if not chunk:
                raise OSError("Festival exited")
            self._buffer += chunk
        data = bytes(self._buffer[:count])
        del self._buffer[:count]
        return data

    def _drain_stderr(self) -> None:
        assert self._process.stderr is not None
        with self._process.stderr as lines:
            for line in lines:
                self.stderr_tail.append(line.decode("utf-8", "replace").rstrip())


class FestivalTextToSpeech:
    """Russian only, 16,000 Hz mono, from one warm Festival process; `max_chars` longer texts are refused.

    `normalise` rewrites the text before it is made speakable (by default adapters/speech/russian_text.py:
    Latin names in Cyrillic, abbreviations in words); None speaks the text as it is written.
    """

    name = "festival"

    def __init__(
        self,
        *,
        binary: str = "festival",
        voice_dir: Path = RUSSIAN_VOICE_DIR,
        normalise: Callable[[str], str] | None = normalise_russian,
        max_chars: int = 3000,
    ) -> None:
        self._binary = binary
        self._voice_dir = voice_dir
        self._normalise = normalise
        self._max_chars = max_chars
        self._process: _FestivalProcess | None = None
        # Held for each request: the worker thread and `close` share the process.
        self._lock = threading.Lock()
        self._closed = False
        self._workers = WorkerPool(self.name)

    @property
    def pid(self) -> int | None:
        """The running Festival process, if any (tests kill it to see it come back)."""
        with self._lock:
            return self._process.pid if self._process is not None and self._process.is_running() else None

    async def warm_up(self) -> None:
        """Start the process, which says one word unheard as it starts (see `_running`)."""
        await self._workers.run(self._warm_up)

    async def synthesize(self, text: str, language: str) -> AudioClip:
        if language_code(language) != "ru":
            raise BackendUnavailable(f"The Festival voice speaks only 'ru', not {language!r}.")
        if len(text) > self._max_chars:
            raise BackendUnavailable(f"This text is too long to speak at once (over {self._max_chars} characters).")
        return await self._workers.run(self._synthesize, text)

    def close(self) -> None:
        self._workers.close()
        self._closed = True
        process = self._process
        if process is not None:
            process.interrupt()  # a sentence being spoken ends now, so the lock below is soon free
        with self._lock:
            if self._process is not None:
                self._process.kill()
                self._process = None

    def _warm_up(self) -> None:
        with self._lock:
            self._running()

    def _synthesize(self, text: str) -> AudioClip:
        said = speakable(self._normalise(text) if self._normalise is not None else text)
        if not said:
            return AudioClip(pcm=b"", sample_rate=16_000)
        with self._lock:
            process = self._running()
            try:
                return _clip(process.say(said, _BASE_SECONDS + _SECONDS_PER_CHAR * len(said)))
            except _Refused:
                log.warning("speech.text_refused", backend=self.name, chars=len(said), stderr=list(process.stderr_tail))
                raise BackendUnavailable("The Festival voice could not say this text.") from None
            except (OSError, TimeoutError, EOFError, wave.Error) as error:
                # Broken, hung or gone: killed now, so the next request starts a fresh one.
                log.exception("speech.backend_failed", backend=self.name, stderr=list(process.stderr_tail))
                process.kill()
                self._process = None
                raise BackendUnavailable("The Festival voice failed to speak this text.") from error

    def _running(self) -> _FestivalProcess:
        """The live process, started if need be; the caller holds `_lock`."""
        if self._closed:
            raise BackendUnavailable("The Festival voice has been shut down.")
        if self._process is not None and self._process.is_running():
            return self._process
        if self._process is not None:
            log.warning("speech.backend_restarting", backend=self.name, pid=self._process.pid)
            self._process.kill()
            self._process = None
        missing = festival_missing(self._binary, self._voice_dir)
        if missing is not None:
            raise FestivalMissing(missing)
        try:
            self._process = _FestivalProcess(self._binary)
            # The voice's units are read on its first sentence (0.3 s, against 0.015 s for the next): said now,
            # unheard, so the first sentence anyone hears is as quick as the rest.
            self._process.say(_PRIMER, _BASE_SECONDS + _SECONDS_PER_CHAR * len(_PRIMER))
        except (OSError, TimeoutError, EOFError, _Refused) as error:
            log.exception("speech.backend_failed", backend=self.name)
            if self._process is not None:
                self._process.kill()
                self._process = None
            raise BackendUnavailable("The Festival voice could not start.") from error
        log.info("speech.model_loaded", backend=self.name, pid=self._process.pid)
        return self._process


def _clip(riff: bytes) -> AudioClip:
    with wave.open(io.BytesIO(riff), "rb") as audio:
        if audio.getsampwidth() != 2:
            raise BackendUnavailable(f"Festival gave {8 * audio.getsampwidth()}-bit audio, not 16-bit.")
        return AudioClip(
            pcm=audio.readframes(audio.getnframes()),
            sample_rate=audio.getframerate(),
            channels=audio.getnchannels(),
        )
