"""One guild's voice receive pipeline: datagram in, finished turns out, every input bounded.

`datagram` runs on discord.py's socket reader thread (never the event loop); `due` and `on_gateway` run on
the loop. One lock serialises them. Whatever a packet holds, it is dropped with a counted reason and a
log line, never raised: a flood, a forged or replayed packet, or Opus that does not decode costs only itself.
"""

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import davey
import structlog

from adapters.discord.listening.endtoend import EndToEnd, EndToEndFailure
from adapters.discord.listening.options import HearingLimits, TurnRules
from adapters.discord.listening.opus import OpusStream
from adapters.discord.listening.rtp import OPUS_PAYLOAD_TYPE, BadPacket, is_rtcp, parse_rtp
from adapters.discord.listening.speakers import EarlyPackets, SpeakerMap
from adapters.discord.listening.transport import ReplayWindow, TransportDecryptor
from adapters.discord.listening.turns import FinishedTurn, Pause, TurnTracker

log = structlog.get_logger("parrot.discord.listening")

# Dropped for reasons that are part of normal traffic: logged at debug level only.
_ROUTINE = frozenset({"rtcp", "own audio", "video", "opted out"})


@dataclass(frozen=True, slots=True)
class Heard:
    user_id: int
    pcm: bytes  # 16 kHz mono, 16-bit
    voiced_seconds: float
    last_voiced_at: float
    mark: int | None = None  # the pause the turn ended at, when nothing was said after it (turns.py)


@dataclass(frozen=True, slots=True)
class Paused:
    """A member paused briefly: their turn so far, to judge and to hear before knowing that it has ended."""

    user_id: int
    pcm: bytes
    voiced_seconds: float
    last_voiced_at: float
    mark: int


@dataclass(frozen=True, slots=True)
class Resumed:
    """The member went on speaking after pause `mark`: what was started for it is stale."""

    user_id: int
    mark: int


class _Bucket:
    """A token bucket: `rate` packets a second, bursts of one second's worth."""

    def __init__(self, rate: float) -> None:
        self._rate = rate
        self._tokens = rate
        self._at = 0.0

    def take(self, now: float) -> bool:
        self._tokens = min(self._rate, self._tokens + (now - self._at) * self._rate)
        self._at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


class _Speaker:
    def __init__(self, user_id: int, rules: TurnRules, limits: HearingLimits) -> None:
        self.user_id = user_id
        self.stream = OpusStream()
        self.turns = TurnTracker(rules)
        self.replay = ReplayWindow()
        self.bucket = _Bucket(limits.packets_per_second)
        self.last_packet_at = 0.0


class VoiceReceiver:
    def __init__(
        self,
        *,
        own_user_id: int,
        rules: TurnRules,
        limits: HearingLimits,
        opted_out: Callable[[int], bool],
        dave: Callable[[], davey.DaveSession | None],
        on_turn_start: Callable[[int], None] = lambda user_id: None,
        on_dave_broken: Callable[[], None] = lambda: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._own_user_id = own_user_id
        self._rules = rules
        self._limits = limits
        self._opted_out = opted_out
        self._end_to_end = EndToEnd(dave)
        self._on_turn_start = on_turn_start
        self._on_dave_broken = on_dave_broken
        self._clock = clock
        self._lock = threading.RLock()
        self._cipher: TransportDecryptor | None = None
        self._own_ssrc: int | None = None
        self._speakers: dict[int, _Speaker] = {}
        self._guild_bucket = _Bucket(limits.guild_packets_per_second)
        self._finished: list[Heard] = []
        self._dave_failures = 0
        self.speakers = SpeakerMap()
        self.early = EarlyPackets()
        self.dropped: Counter[str] = Counter()
        self.received = 0

    # -- from the voice gateway (event loop) ------------------------------------------------------

    def set_transport(self, mode: str, secret_key: bytes, own_ssrc: int | None) -> None:
        """A (re)connection's session description: a new key, so senders' counters start again."""
        with self._lock:
            self._cipher = TransportDecryptor(mode, secret_key)
            self._own_ssrc = own_ssrc
            for speaker in self._speakers.values():
                speaker.replay = ReplayWindow()

    def use_speakers(self, speakers: SpeakerMap) -> None:
        """The voice client's map, kept since it joined: members named before listening began are heard too."""
        with self._lock:
            self.speakers = speakers

    def on_gateway(self, op: int, data: object) -> None:
        self.mapped(self.speakers.on_gateway(op, data))

    def mapped(self, ssrcs: list[int]) -> None:
        """`ssrcs` just got their member: the packets that came before it are heard now."""
        for ssrc in ssrcs:
            for packet in self.early.release(ssrc):
                self.datagram(packet)

    # -- from the socket reader thread ------------------------------------------------------------

    def datagram(self, data: bytes) -> None:
        with self._lock:
            try:
                self._receive(data)
            except EndToEndFailure as failure:
                self._drop("dave", str(failure))
                self._dave_failures += 1
                if self._dave_failures >= self._limits.dave_failures:
                    log.warning("end-to-end decryption keeps failing", failures=self._dave_failures)
                    self._dave_failures = 0  # counted afresh: the listener decides what one more report means
                    self._on_dave_broken()
            except BadPacket as bad:
                self._drop("bad packet", str(bad))
            except Exception:  # a bug must not take the socket reader (and every later packet) with it
                log.exception("voice packet failed unexpectedly")
                self.dropped["error"] += 1

    def _receive(self, data: bytes) -> None:
        now = self._clock()
        if is_rtcp(data):
            self._drop("rtcp")
            return
        packet = parse_rtp(data)
        if packet.ssrc == self._own_ssrc:
            self._drop("own audio")
            return
        if packet.payload_type != OPUS_PAYLOAD_TYPE or self.speakers.is_video(packet.ssrc):
            self._drop("video")
            return
        user_id = self.speakers.user_of(packet.ssrc)
        if user_id is None:
            if not self.early.hold(packet.ssrc, data):
                self._drop("unmapped overflow")
            return
        if user_id == self._own_user_id:
            self._drop("own audio")
            return
        if self._opted_out(user_id):
            self._drop("opted out")  # before any decryption: consent comes first
            return
        speaker = self._speaker(packet.ssrc, user_id)
        if speaker is None:
            self._drop("too many speakers")
            return
        if not speaker.bucket.take(now):
            self._drop("speaker flood")
            return
        if not self._guild_bucket.take(now):  # bounds the decryption and decoding the guild costs
            self._drop("guild flood")
            return
        if self._cipher is None:
            self._drop("no key yet")
            return
        payload = self._cipher.open(packet)
        # After authentication, so forged packets cannot move the window.
        if not speaker.replay.accept(packet.nonce_counter):
            self._drop("replayed")
            return
        frame = self._end_to_end.open(user_id, payload)
        self._dave_failures = 0
        pcm = speaker.stream.decode(frame)
        speaker.last_packet_at = now
        self.received += 1
        started, capped = speaker.turns.feed(pcm, now)
        if started:
            self._on_turn_start(user_id)
        if capped is not None:
            self._finished.append(self._heard(user_id, capped))

    def _speaker(self, ssrc: int, user_id: int) -> _Speaker | None:
        speaker = self._speakers.get(ssrc)
        if speaker is not None and speaker.user_id == user_id:
            return speaker
        if speaker is None and len(self._speakers) >= self._limits.speakers:
            return None
        speaker = self._speakers[ssrc] = _Speaker(user_id, self._rules, self._limits)
        return speaker

    # -- from the event loop ----------------------------------------------------------------------

    def due(self) -> list[Heard]:
        """Turns that have ended (silence, or the cap); frees the decoders of speakers gone quiet."""
        with self._lock:
            now = self._clock()
            finished, self._finished = self._finished, []
            for ssrc, speaker in list(self._speakers.items()):
                turn = speaker.turns.due(now)
                if turn is not None:
                    finished.append(self._heard(speaker.user_id, turn))
                if not speaker.turns.in_turn and now - speaker.last_packet_at > self._limits.idle_seconds:
                    del self._speakers[ssrc]
            return finished

    def pauses(self) -> list[Paused | Resumed]:
        """Short pauses begun and pauses broken off since the last call (only with `TurnRules.pause_seconds`)."""
        with self._lock:
            now = self._clock()
            moments: list[Paused | Resumed] = []
            for speaker in self._speakers.values():
                moments.extend(Resumed(speaker.user_id, mark) for mark in speaker.turns.resumed())
                pause = speaker.turns.pause(now)
                if pause is not None:
                    moments.append(self._paused(speaker.user_id, pause))
            return moments

    def end(self, user_id: int, mark: int) -> Heard | None:
        """End the member's turn at pause `mark` (judged complete), unless they spoke since."""
        with self._lock:
            for speaker in self._speakers.values():
                if speaker.user_id == user_id:
                    turn = speaker.turns.end(mark)
                    if turn is not None:
                        return self._heard(user_id, turn)
            return None

    def forget(self, user_id: int) -> None:
        """Drop a member's unfinished audio at once (they opted out mid-sentence)."""
        with self._lock:
            for ssrc, speaker in list(self._speakers.items()):
                if speaker.user_id == user_id:
                    del self._speakers[ssrc]

    def in_turn(self, user_id: int) -> bool:
        """Whether the member is in the middle of a turn (speaking, or paused without its end known)."""
        with self._lock:
            return any(speaker.user_id == user_id and speaker.turns.in_turn for speaker in self._speakers.values())

    @property
    def active_speakers(self) -> int:
        with self._lock:
            return len(self._speakers)

    @staticmethod
    def _heard(user_id: int, turn: FinishedTurn) -> Heard:
        return Heard(user_id, turn.pcm, turn.voiced_seconds, turn.last_voiced_at, turn.mark)

    @staticmethod
    def _paused(user_id: int, pause: Pause) -> Paused:
        return Paused(user_id, pause.pcm, pause.voiced_seconds, pause.last_voiced_at, pause.mark)

    def _drop(self, reason: str, detail: str = "") -> None:
        self.dropped[reason] += 1
        count = self.dropped[reason]
        if reason in _ROUTINE:
            return
        # The first of each reason, then one line per thousand: a flood cannot flood the log.
        if count == 1 or count % 1000 == 0:
            log.warning("voice packet dropped", reason=reason, detail=detail, count=count)
