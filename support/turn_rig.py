"""The receive pipeline and the turn state machine on a hand-turned clock, fed a member's Opus frames.

Used by the end-of-turn tests and bench/turns.py. The model's verdicts are awaited at every 20 ms step, so how
long it takes to judge (a loaded machine) never changes where a turn ends.
"""

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field

from adapters.discord.listening.ending import TurnEnding
from adapters.discord.listening.options import HearingLimits, TurnRules
from adapters.discord.listening.receiver import Heard, VoiceReceiver
from adapters.discord.listening.transport import XCHACHA
from application.ports.speech import EndOfTurn
from support.fake_discord.voice import Mouth, seal

KEY = bytes(range(32))
MEMBER, SSRC = 42, 1001
FRAME_SECONDS = 0.02


@dataclass
class Clock:
    now: float = 100.0

    def __call__(self) -> float:
        return self.now


@dataclass
class TurnRig:
    receiver: VoiceReceiver
    clock: Clock
    ending: TurnEnding = field(init=False)
    mouth: Mouth = field(default_factory=lambda: Mouth(MEMBER, SSRC))
    heard: list[tuple[int, Heard, bool, float]] = field(default_factory=list)  # (message id, turn, tentative, at)
    work: list["asyncio.Task[None]"] = field(default_factory=list)

    async def speak(self, frames: list[bytes]) -> None:
        """Frames sent every 20 ms, as a client sends them while its member talks."""
        for frame in frames:
            self.mouth.step()
            self.receiver.datagram(seal(self.mouth, frame, KEY))
            await self.step()

    async def quiet(self, seconds: float) -> None:
        """Nothing sent, as a client does while its member is silent."""
        for _ in range(round(seconds / FRAME_SECONDS)):
            await self.step()

    async def step(self) -> None:
        self.clock.now += FRAME_SECONDS
        self.ending.tick()
        while pending := [task for task in self.work if not task.done()]:
            await asyncio.gather(*pending)

    @property
    def in_turn(self) -> bool:
        return self.receiver.in_turn(MEMBER)

    async def answered(self) -> list[Heard]:
        """The hearings that get an answer, each tentative one asked about as the core's handler asks."""
        kept = []
        for message_id, turn, tentative, _ in self.heard:
            if not tentative or await asyncio.wait_for(self.ending.turn_ended(message_id), 5):
                kept.append(turn)
        return kept


def turn_rig(end_of_turn: EndOfTurn | None, rules: TurnRules) -> TurnRig:
    clock = Clock()
    receiver = VoiceReceiver(
        own_user_id=1,
        rules=rules,
        limits=HearingLimits(),
        opted_out=lambda user_id: False,
        dave=lambda: None,
        clock=clock,
    )
    receiver.set_transport(XCHACHA, KEY, own_ssrc=999)
    receiver.on_gateway(5, {"user_id": str(MEMBER), "ssrc": SSRC, "speaking": 1})
    rig = TurnRig(receiver, clock)

    def hear(turn: Heard, tentative: bool) -> int:
        rig.heard.append((len(rig.heard) + 1, turn, tentative, clock.now))
        return len(rig.heard)

    def spawn(work: Awaitable[None]) -> None:
        async def run() -> None:
            await work

        rig.work.append(asyncio.create_task(run()))

    rig.ending = TurnEnding(receiver, end_of_turn, hear=hear, spawn=spawn)
    return rig
