"""One speaker's audio split into turns: voice activity starts one, a pause or silence ends it.

Voice activity is Discord's own packet gaps plus an energy check. Discord clients already gate what they
send (voice activity or push-to-talk) and stop sending when a member is quiet, so the gap is the main
signal; the energy check keeps a member who transmits continuously (noise, an open mic) from making one
endless turn of silence. bench/voice.py measures the alternatives (Silero VAD through onnxruntime,
webrtcvad) against this one.

With an end-of-turn model (`TurnRules.pause_seconds` set), a short pause makes a `Pause`: the turn so far, which
the listener has judged and heard at once. `end(mark)` ends the turn there if the speaker said nothing since;
a voiced frame after it makes that pause stale (`resumed`). Silence of `silence_seconds` ends a turn in any case.
"""

import itertools
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from adapters.discord.listening.options import TurnRules
from adapters.discord.listening.opus import FRAME_BYTES, SAMPLE_RATE


def rms(pcm: bytes) -> float:
    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float32)
    return float(np.sqrt(np.mean(np.square(samples)))) if samples.size else 0.0


@dataclass(slots=True)
class FinishedTurn:
    pcm: bytes
    voiced_seconds: float
    last_voiced_at: float
    mark: int | None = None  # the pause it ended at, when nothing was said after it


@dataclass(frozen=True, slots=True)
class Pause:
    """The turn as it stands at a short pause; `mark` names this pause among all of the speaker's."""

    pcm: bytes
    voiced_seconds: float
    last_voiced_at: float
    mark: int


@dataclass(slots=True)
class Turn:
    pcm: bytearray = field(default_factory=bytearray)
    voiced_frames: int = 0
    last_voiced_at: float = 0.0
    voiced_end: int = 0  # bytes of PCM up to the end of the last voiced frame
    paused: int | None = None  # the mark of the pause the speaker is in, once it was reported


class TurnTracker:
    """Fed 20 ms PCM frames as they arrive; asked with `due(now)` whether the turn has ended."""

    def __init__(self, rules: TurnRules) -> None:
        self._rules = rules
        self._preroll: deque[bytes] = deque(maxlen=rules.preroll_frames)
        self._turn: Turn | None = None
        self._max_bytes = int(rules.max_seconds * SAMPLE_RATE) * 2
        self._marks = itertools.count(1)
        self._resumed: list[int] = []

    @property
    def in_turn(self) -> bool:
        return self._turn is not None

    def feed(self, pcm: bytes, now: float) -> tuple[bool, FinishedTurn | None]:
        """(a turn started with this frame, a turn the 30 s cap ended)."""
        voiced = rms(pcm) >= self._rules.voiced_rms
        turn = self._turn
        if turn is None:
            if not voiced:
                self._preroll.append(pcm)
                return False, None
            turn = self._turn = Turn(bytearray(b"".join(self._preroll)))
            self._preroll.clear()
            started = True
        else:
            started = False
        turn.pcm += pcm
        if voiced:
            turn.voiced_frames += 1
            turn.last_voiced_at = now
            turn.voiced_end = len(turn.pcm)
            if turn.paused is not None:  # the speaker went on: what was judged or heard at the pause is stale
                self._resumed.append(turn.paused)
                turn.paused = None
        if len(turn.pcm) >= self._max_bytes:
            return started, self._finish()
        return started, None

    def due(self, now: float) -> FinishedTurn | None:
        """The turn, when the speaker has been quiet (or sent nothing) for the silence period."""
        turn = self._turn
        if turn is None or now - turn.last_voiced_at < self._rules.silence_seconds:
            return None
        return self._finish()

    def pause(self, now: float) -> Pause | None:
        """The turn so far, once per pause, when the speaker has been quiet for the short pause (and said enough)."""
        turn, wait = self._turn, self._rules.pause_seconds
        if turn is None or wait is None or turn.paused is not None or now - turn.last_voiced_at < wait:
            return None
        if self._voiced_seconds(turn) < self._rules.min_seconds:
            return None
        turn.paused = next(self._marks)
        # A client sends nothing while its member is quiet: the pause is made whole with zeros, since an
        # end-of-turn model hears how long the speaker has been silent.
        heard = self._heard_part(turn).ljust(turn.voiced_end + self._rules.tail_frames * FRAME_BYTES, b"\0")
        return Pause(heard, self._voiced_seconds(turn), turn.last_voiced_at, turn.paused)

    def resumed(self) -> list[int]:
        """The marks of pauses after which the speaker went on, each told once."""
        resumed, self._resumed = self._resumed, []
        return resumed

    def end(self, mark: int) -> FinishedTurn | None:
        """End the turn at pause `mark`, unless the speaker said something since (then None)."""
        turn = self._turn
        if turn is None or turn.paused != mark:
            return None
        return self._finish()

    def _finish(self) -> FinishedTurn | None:
        turn, self._turn = self._turn, None
        assert turn is not None
        voiced_seconds = self._voiced_seconds(turn)
        if voiced_seconds < self._rules.min_seconds:
            return None  # a cough, a click: too short to be a question
        return FinishedTurn(self._heard_part(turn), voiced_seconds, turn.last_voiced_at, turn.paused)

    def _voiced_seconds(self, turn: Turn) -> float:
        return turn.voiced_frames * FRAME_BYTES / 2 / SAMPLE_RATE

    def _heard_part(self, turn: Turn) -> bytes:
        # The silence that ended the turn is not sent on: the recogniser would only spend time on it.
        end = min(len(turn.pcm), turn.voiced_end + self._rules.tail_frames * FRAME_BYTES)
        return bytes(turn.pcm[:end])
