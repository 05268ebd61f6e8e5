"""The turn state machine: pauses judged by an end-of-turn model (a fake here), silence as the fallback, and
tentative hearings settled so that each turn is answered once."""

import asyncio
from dataclasses import dataclass, field

import numpy as np

from adapters.discord.listening.ending import TurnEnding
from adapters.discord.listening.options import TurnRules
from adapters.discord.listening.receiver import Heard, Paused, Resumed
from adapters.discord.listening.turns import TurnTracker
from domain.speech import AudioClip

ALICE = 42
FRAME = 0.02
LOUD = (np.sin(np.arange(320) / 3) * 8000).astype("<i2").tobytes()  # 20 ms, far above the energy threshold
MODEL = TurnRules(pause_seconds=0.2, silence_seconds=0.6)


class FakeEndOfTurn:
    """Answers from a script, one verdict a pause (then `default`); records how long each judged turn was."""

    name = "fake-end-of-turn"

    def __init__(self, *verdicts: bool, default: bool = True, fails: bool = False, delay: float = 0.0) -> None:
        self.verdicts = list(verdicts)
        self.default = default
        self.fails = fails
        self.delay = delay
        self.judged: list[float] = []

    async def warm_up(self) -> None:
        return None

    async def finished(self, clip: AudioClip) -> bool:
        self.judged.append(clip.duration_seconds)
        await asyncio.sleep(self.delay)
        if self.fails:
            raise RuntimeError("the model is broken")
        return self.verdicts.pop(0) if self.verdicts else self.default


@dataclass
class Member:
    """One member's side of the receiver (VoiceReceiver's `Turns`), fed frames on a hand-turned clock."""

    rules: TurnRules
    now: float = 0.0
    tracker: TurnTracker = field(init=False)
    capped: list[Heard] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tracker = TurnTracker(self.rules)

    def pauses(self) -> list[Paused | Resumed]:
        moments: list[Paused | Resumed] = [Resumed(ALICE, mark) for mark in self.tracker.resumed()]
        pause = self.tracker.pause(self.now)
        if pause is not None:
            moments.append(Paused(ALICE, pause.pcm, pause.voiced_seconds, pause.last_voiced_at, pause.mark))
        return moments

    def due(self) -> list[Heard]:
        turn = self.tracker.due(self.now)
        return [Heard(ALICE, turn.pcm, turn.voiced_seconds, turn.last_voiced_at, turn.mark)] if turn else []

    def end(self, user_id: int, mark: int) -> Heard | None:
        turn = self.tracker.end(mark)
        return Heard(user_id, turn.pcm, turn.voiced_seconds, turn.last_voiced_at, turn.mark) if turn else None


@dataclass
class Rig:
    member: Member
    ending: TurnEnding
    heard: list[tuple[int, float, bool, float]] = field(default_factory=list)  # (id, seconds, tentative, at)
    tasks: set["asyncio.Task[None]"] = field(default_factory=set)

    async def speak(self, seconds: float) -> None:
        for _ in range(round(seconds / FRAME)):
            self.member.tracker.feed(LOUD, self.member.now)
            await self.step()

    async def quiet(self, seconds: float) -> None:
        """Nothing sent, as a Discord client does while its member is silent."""
        for _ in range(round(seconds / FRAME)):
            await self.step()

    async def step(self) -> None:
        self.member.now += FRAME
        self.ending.tick()
        for _ in range(3):  # the model's verdicts, given at once by the fake
            await asyncio.sleep(0)

    async def verdicts(self) -> list[bool | None]:
        """For each hearing: None if it was whole, else whether it is its turn's (asked as its handler would)."""
        results: list[bool | None] = []
        for message_id, _, tentative, _ in self.heard:
            results.append(await asyncio.wait_for(self.ending.turn_ended(message_id), 1) if tentative else None)
        return results

    async def answered(self) -> list[float]:
        """The lengths of the turns that get an answer."""
        verdicts = await self.verdicts()
        return [
            seconds for (_, seconds, _, _), verdict in zip(self.heard, verdicts, strict=True) if verdict is not False
        ]


def rig(model: FakeEndOfTurn | None, rules: TurnRules = MODEL) -> Rig:
    member = Member(rules)
    box: list[Rig] = []

    def hear(turn: Heard, tentative: bool) -> int:
        r = box[0]
        r.heard.append((len(r.heard) + 1, round(turn.voiced_seconds, 2), tentative, round(member.now, 2)))
        return len(r.heard)

    def spawn(work: object) -> None:
        async def run() -> None:
            await work  # type: ignore[misc]

        task = asyncio.create_task(run())
        box[0].tasks.add(task)

    r = Rig(member, TurnEnding(member, model, hear=hear, spawn=spawn))
    box.append(r)
    return r


async def test_a_finished_sentence_ends_the_turn_at_the_short_pause() -> None:
    r = rig(FakeEndOfTurn(True))
    await r.speak(1.0)
    await r.quiet(0.3)
    [(_, seconds, tentative, at)] = r.heard
    assert tentative and seconds == 1.0 and 1.17 <= at <= 1.2  # 200 ms after the last voiced frame (0.98 s), not 600 ms
    assert not r.member.tracker.in_turn  # the turn is over
    await r.quiet(1.0)
    assert await r.verdicts() == [True] and len(r.heard) == 1


async def test_an_unfinished_sentence_waits_and_silence_still_ends_it_with_the_same_hearing() -> None:
    model = FakeEndOfTurn(False)
    r = rig(model)
    await r.speak(1.0)
    await r.quiet(0.3)
    assert r.member.tracker.in_turn and model.judged == [1.2]  # 1 s spoken, 200 ms of tail
    await r.quiet(0.4)
    assert not r.member.tracker.in_turn
    assert len(r.heard) == 1 and await r.verdicts() == [True]  # not heard a second time


async def test_speech_after_an_unfinished_pause_drops_its_hearing_and_the_turn_goes_on() -> None:
    r = rig(FakeEndOfTurn(False, True))
    await r.speak(1.0)
    await r.quiet(0.4)
    await r.speak(0.6)
    await r.quiet(0.3)
    assert [(seconds, tentative) for _, seconds, tentative, _ in r.heard] == [(1.0, True), (1.6, True)]
    assert await r.verdicts() == [False, True]
    assert await r.answered() == [1.6]  # one answer, for the whole turn


async def test_a_complete_verdict_that_comes_after_the_member_spoke_again_ends_nothing() -> None:
    r = rig(FakeEndOfTurn(True, default=False, delay=0.05))
    await r.speak(1.0)
    await r.quiet(0.2)
    await r.speak(0.5)  # the model's "complete" arrives while the member talks
    await asyncio.sleep(0.1)
    assert r.member.tracker.in_turn
    await r.quiet(0.7)
    assert await r.answered() == [1.5]


async def test_a_failing_model_leaves_the_turn_to_the_silence_rule() -> None:
    r = rig(FakeEndOfTurn(fails=True))
    await r.speak(1.0)
    await r.quiet(0.4)
    assert r.member.tracker.in_turn
    await r.quiet(0.3)
    assert await r.answered() == [1.0] and len(r.heard) == 1


async def test_the_silence_rule_alone_hears_each_turn_once_after_the_silence() -> None:
    r = rig(None, TurnRules(silence_seconds=0.6))
    await r.speak(1.0)
    await r.quiet(0.5)
    assert r.heard == []
    await r.quiet(0.2)
    [(_, seconds, tentative, at)] = r.heard
    assert seconds == 1.0 and not tentative and 1.57 <= at <= 1.6


async def test_a_member_forgotten_mid_turn_has_their_tentative_hearing_dropped() -> None:
    r = rig(FakeEndOfTurn(False))
    await r.speak(1.0)
    await r.quiet(0.3)
    r.ending.forget(ALICE)
    assert await r.verdicts() == [False]


async def test_too_short_a_sound_is_neither_judged_nor_heard() -> None:
    model = FakeEndOfTurn(True)
    r = rig(model)
    await r.speak(0.2)  # below min_seconds: a cough
    await r.quiet(1.0)
    assert model.judged == [] and r.heard == []


async def test_an_unknown_or_forgotten_hearing_is_never_taken_for_its_turn() -> None:
    r = rig(FakeEndOfTurn(True))
    assert await r.ending.turn_ended(12345) is False


async def test_a_verdict_that_arrives_after_listening_stopped_ends_nothing() -> None:
    r = rig(FakeEndOfTurn(True, delay=0.05))
    await r.speak(1.0)
    r.member.now += 0.2
    r.ending.tick()  # the pause: heard tentatively, the model asked
    r.ending.close()
    await asyncio.gather(*r.tasks)
    assert r.member.tracker.in_turn and len(r.heard) == 1
    assert await r.verdicts() == [False]
