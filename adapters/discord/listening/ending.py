"""When a member's turn ends, and which hearing of it is answered: one guild's turns, each answered once.

Without an end-of-turn model a turn ends after `silence_seconds` of silence and is heard then. With one, at a
short pause (`pause_seconds`) the turn so far is heard at once, tentatively, and the model is asked whether it
sounds complete:

- complete: the turn ends now, and that hearing is the turn's;
- incomplete: the turn waits. If the member goes on speaking, the tentative hearing is dropped (its handler is
  told `False` and answers nothing) and the next pause starts again; if they stay quiet until `silence_seconds`,
  the turn ends there with the audio already being heard, so it is not heard twice.

A turn cut by the 30 s cap is heard afresh. Whether a tentative hearing is the turn's is told by `turn_ended`,
which the hearing's handler awaits before it answers (the VoiceListening port); every tentative hearing gets
exactly one answer there, and at most one per turn is `True`.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Protocol

import structlog

from adapters.discord.listening.opus import SAMPLE_RATE
from adapters.discord.listening.receiver import Heard, Paused, Resumed
from application.ports.speech import EndOfTurn
from domain.speech import AudioClip

log = structlog.get_logger("parrot.discord.listening")

Hear = Callable[[Heard, bool], int]  # (the turn, tentative) -> the id of the message standing for it
Spawn = Callable[[Awaitable[None]], None]


class Turns(Protocol):
    """What the receiver tells of its speakers' turns (VoiceReceiver)."""

    def pauses(self) -> list[Paused | Resumed]: ...

    def due(self) -> list[Heard]: ...

    def end(self, user_id: int, mark: int) -> Heard | None: ...


class TurnEnding:
    def __init__(
        self,
        turns: Turns,
        end_of_turn: EndOfTurn | None,
        hear: Hear,
        spawn: Spawn,
        keep_seconds: float = 120.0,
    ) -> None:
        self._turns = turns
        self._end_of_turn = end_of_turn
        self._hear = hear
        self._spawn = spawn
        self._keep_seconds = keep_seconds
        self._pending: dict[int, tuple[int, int]] = {}  # member -> (pause mark, message id of its tentative hearing)
        # A verdict stays a while after it is settled: the handler asks once its hearing is done, maybe later.
        self._verdicts: dict[int, asyncio.Future[bool]] = {}
        self.judged = 0  # pauses the model was asked about, for measurements
        self._closed = False

    def tick(self) -> None:
        """On the event loop, every few tens of milliseconds: act on the pauses and silences since the last."""
        for moment in self._turns.pauses():
            if isinstance(moment, Resumed):
                self._drop(moment.user_id, moment.mark)
            else:
                self._paused(moment)
        for heard in self._turns.due():
            self._ended(heard)

    async def turn_ended(self, message_id: int) -> bool:
        """Whether the tentative hearing `message_id` is its turn's (waits until that is known)."""
        verdict = self._verdicts.get(message_id)
        if verdict is None:
            return False  # unknown, or settled so long ago that it was forgotten: never answer on a guess
        return await asyncio.shield(verdict)

    def forget(self, user_id: int) -> None:
        """The member's unfinished turn is gone (they opted out): its tentative hearing is not answered."""
        self._drop(user_id)

    def close(self) -> None:
        """Listening stopped: no tentative hearing is answered, and a verdict still coming ends nothing."""
        self._closed = True
        for user_id in list(self._pending):
            self._drop(user_id)

    def _paused(self, paused: Paused) -> None:
        self._drop(paused.user_id)
        heard = Heard(paused.user_id, paused.pcm, paused.voiced_seconds, paused.last_voiced_at, paused.mark)
        message_id = self._hear(heard, True)
        self._verdicts[message_id] = asyncio.get_running_loop().create_future()
        self._pending[paused.user_id] = (paused.mark, message_id)
        if self._end_of_turn is not None:
            self._spawn(self._judge(self._end_of_turn, paused))

    async def _judge(self, end_of_turn: EndOfTurn, paused: Paused) -> None:
        self.judged += 1
        try:
            finished = await end_of_turn.finished(AudioClip(paused.pcm, SAMPLE_RATE))
        except Exception:  # the silence rule still ends the turn
            log.exception("the end-of-turn model failed", user_id=paused.user_id)
            return
        if not finished or self._closed:
            log.debug("turn judged unfinished at a pause", user_id=paused.user_id, closed=self._closed)
            return
        heard = self._turns.end(paused.user_id, paused.mark)
        if heard is not None:  # else the member spoke again while the model judged
            self._ended(heard)

    def _ended(self, heard: Heard) -> None:
        pending = self._pending.pop(heard.user_id, None)
        if pending is not None:
            mark, message_id = pending
            if heard.mark == mark:
                self._settle(message_id, True)  # already being heard, with this very audio
                return
            self._settle(message_id, False)
        self._hear(heard, False)

    def _drop(self, user_id: int, mark: int | None = None) -> None:
        pending = self._pending.get(user_id)
        if pending is None or (mark is not None and pending[0] != mark):
            return
        del self._pending[user_id]
        log.info("a tentative hearing dropped: the member went on speaking", user_id=user_id)
        self._settle(pending[1], False)

    def _settle(self, message_id: int, ended: bool) -> None:
        verdict = self._verdicts.get(message_id)
        if verdict is not None and not verdict.done():
            verdict.set_result(ended)
        asyncio.get_running_loop().call_later(self._keep_seconds, self._verdicts.pop, message_id, None)
