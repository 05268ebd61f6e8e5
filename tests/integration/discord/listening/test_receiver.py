"""The receive pipeline on its own, with a hand-turned clock: turns, consent, and every kind of bad input."""

import os
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from adapters.discord.listening.options import HearingLimits, TurnRules
from adapters.discord.listening.receiver import VoiceReceiver
from adapters.discord.listening.transport import XCHACHA
from support.fake_discord.voice import OPUS_SILENCE, Mouth, seal

KEY = bytes(range(32))
BOT, ALICE, BOB = 1, 42, 43


@dataclass
class Clock:
    now: float = 100.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Rig:
    receiver: VoiceReceiver
    clock: Clock
    opted_out: set[int]
    started: list[int] = field(default_factory=list)
    broken: list[bool] = field(default_factory=list)

    def map(self, user_id: int, ssrc: int) -> None:
        self.receiver.on_gateway(5, {"user_id": str(user_id), "ssrc": ssrc, "speaking": 1})

    def send(self, mouth: Mouth, frames: list[bytes], step: float = 0.02, key: bytes = KEY) -> None:
        for frame in frames:
            mouth.step()
            self.receiver.datagram(seal(mouth, frame, key))
            self.clock.now += step

    def quiet(self, seconds: float = 0.7) -> list[tuple[int, float]]:
        self.clock.now += seconds
        return [(heard.user_id, round(heard.voiced_seconds, 1)) for heard in self.receiver.due()]


def rig(session: Callable[[], object] = lambda: None, **limits: float) -> Rig:
    clock, opted_out = Clock(), set[int]()
    started: list[int] = []
    broken: list[bool] = []
    receiver = VoiceReceiver(
        own_user_id=BOT,
        rules=TurnRules(max_seconds=limits.pop("max_seconds", 30.0)),
        limits=HearingLimits(**limits),  # type: ignore[arg-type]
        opted_out=opted_out.__contains__,
        dave=session,  # type: ignore[arg-type]
        on_turn_start=started.append,
        on_dave_broken=lambda: broken.append(True),
        clock=clock,
    )
    receiver.set_transport(XCHACHA, KEY, own_ssrc=999)
    return Rig(receiver, clock, opted_out, started, broken)


def test_a_member_speaking_is_one_turn_ended_by_silence(weather: list[bytes]) -> None:
    r = rig()
    r.map(ALICE, 1001)
    r.send(Mouth(ALICE, 1001), weather)
    assert r.started == [ALICE]
    assert r.receiver.due() == []  # still within the silence period
    [(user, voiced)] = r.quiet()
    assert user == ALICE and 1.5 < voiced < 3.0


def test_packets_before_their_speaking_message_wait_and_are_heard(weather: list[bytes]) -> None:
    r = rig()
    r.send(Mouth(ALICE, 1001), weather[:20])
    assert r.receiver.received == 0 and len(r.receiver.early) == 20
    r.map(ALICE, 1001)
    assert r.receiver.received == 20 and len(r.receiver.early) == 0


def test_two_members_at_once_are_two_turns(weather: list[bytes], timer: list[bytes]) -> None:
    r = rig()
    r.map(ALICE, 1001)
    r.map(BOB, 1002)
    alice, bob = Mouth(ALICE, 1001), Mouth(BOB, 1002)
    for a, b in zip(weather, timer, strict=False):  # interleaved, as they arrive
        r.send(alice, [a], step=0)
        r.send(bob, [b])
    heard = r.quiet(0.7 + (len(timer) - len(weather)) * 0.02)
    assert sorted(user for user, _ in heard) == [ALICE, BOB]


def test_own_audio_video_rtcp_and_opted_out_members_are_dropped_before_decryption(weather: list[bytes]) -> None:
    r = rig()
    r.map(BOT, 1000)
    r.map(ALICE, 1001)
    r.receiver.on_gateway(12, {"user_id": str(BOB), "audio_ssrc": 1002, "video_ssrc": 1003})
    r.opted_out.add(ALICE)
    wrong_key = os.urandom(32)  # were any of these decrypted, they would fail as bad packets
    r.send(Mouth(BOT, 999), weather[:5], key=wrong_key)
    r.send(Mouth(BOT, 1000), weather[:5], key=wrong_key)
    r.send(Mouth(ALICE, 1001), weather, key=wrong_key)
    r.send(Mouth(BOB, 1003), weather[:5], key=wrong_key)
    r.receiver.datagram(seal(Mouth(BOB, 1002), b"vp8", KEY, payload_type=101))
    r.receiver.datagram(b"\x81\xc9" + bytes(30))
    dropped = r.receiver.dropped
    assert dropped["own audio"] == 10 and dropped["opted out"] == len(weather)
    assert dropped["video"] == 6 and dropped["rtcp"] == 1
    assert "bad packet" not in dropped and r.receiver.received == 0 and r.quiet() == []


def test_wrong_keys_replays_truncation_and_garbage_are_dropped_and_the_member_still_heard(
    weather: list[bytes],
) -> None:
    r = rig()
    r.map(ALICE, 1001)
    alice = Mouth(ALICE, 1001)
    r.send(alice, weather[:10])
    replay = seal(alice, weather[9], KEY)
    r.receiver.datagram(replay)  # the same nonce again
    r.send(alice, weather[10:12], key=os.urandom(32))
    good = seal(alice, weather[12], KEY)
    for cut in (1, 11, 12, 20, len(good) - 1):
        r.receiver.datagram(good[:cut])
    r.receiver.datagram(os.urandom(300))
    r.send(alice, [os.urandom(80), b"\xff\xff\xff\xff" * 10, b""])  # Opus that does not decode (or decodes to noise)
    r.send(alice, weather[12:])
    assert r.receiver.dropped["replayed"] == 1
    assert r.receiver.dropped["bad packet"] >= 2 + 5
    [(user, _)] = r.quiet()
    assert user == ALICE


def test_a_flood_from_one_member_is_cut_to_their_share() -> None:
    r = rig(packets_per_second=75)
    r.map(ALICE, 1001)
    r.send(Mouth(ALICE, 1001), [OPUS_SILENCE] * 1000, step=0)  # a thousand packets in no time
    assert r.receiver.received == 75
    assert r.receiver.dropped["speaker flood"] + r.receiver.dropped["guild flood"] == 925


def test_a_guild_flood_across_many_members_is_bounded_too() -> None:
    r = rig(guild_packets_per_second=200)
    mouths = [Mouth(100 + n, 2000 + n) for n in range(10)]
    for mouth in mouths:
        r.map(mouth.user_id, mouth.ssrc)
        r.send(mouth, [OPUS_SILENCE] * 50, step=0)  # each within their own share, together too many
    assert r.receiver.received == 200 and r.receiver.dropped["guild flood"] == 300


def test_packets_from_unknown_senders_wait_in_bounded_buffers() -> None:
    r = rig()
    for n in range(2000):
        r.receiver.datagram(seal(Mouth(ALICE, 5000 + n % 100, nonce=n), b"x", KEY))
    assert len(r.receiver.early) <= 32 * 25
    assert r.receiver.received == 0


def test_twenty_five_speakers_at_once_are_bounded_and_the_rest_dropped(weather: list[bytes]) -> None:
    r = rig(speakers=10)
    mouths = [Mouth(100 + n, 2000 + n) for n in range(25)]
    for mouth in mouths:
        r.map(mouth.user_id, mouth.ssrc)
    for frame in weather:
        for mouth in mouths:
            r.send(mouth, [frame], step=0)
        r.clock.now += 0.02
    assert r.receiver.active_speakers == 10
    assert r.receiver.dropped["too many speakers"] == 15 * len(weather)
    assert len(r.quiet()) == 10
    r.quiet(6.0)  # their decoders are freed once they have been quiet a while
    assert r.receiver.active_speakers == 0


def test_a_member_who_never_stops_is_cut_at_the_cap(weather: list[bytes]) -> None:
    r = rig(max_seconds=2.0)
    r.map(ALICE, 1001)
    voiced = weather[10:90]  # 1.6 s of speech, over and over, never a pause
    r.send(Mouth(ALICE, 1001), voiced * 4)
    heard = r.receiver.due()  # without any silence
    assert len(heard) >= 2
    assert all(len(h.pcm) < 2 * 16_000 * 2 + 640 for h in heard)  # 2 s, give or take the last 20 ms frame


def test_short_sounds_are_not_turns(weather: list[bytes]) -> None:
    r = rig()
    r.map(ALICE, 1001)
    r.send(Mouth(ALICE, 1001), weather[20:35])  # 0.3 s
    assert r.quiet() == []


class BrokenSession:
    ready = True

    def decrypt(self, user_id: int, media_type: object, frame: bytes) -> bytes:
        raise RuntimeError("no key for this sender")


def test_repeated_dave_failures_are_reported_once_per_run() -> None:
    r = rig(session=BrokenSession, dave_failures=50)
    r.map(ALICE, 1001)
    r.send(Mouth(ALICE, 1001), [b"frame\xfa\xfa"] * 120)
    assert r.receiver.dropped["dave"] == 120
    assert r.broken == [True, True]  # once per 50 in a row
    assert r.receiver.received == 0


@pytest.mark.parametrize("op", [2, 4, 5, 11, 12, 13, 99])
def test_junk_gateway_messages_are_ignored(op: int) -> None:
    r = rig()
    junks: list[object] = [None, "x", [], {"user_id": None}, {"user_ids": "all"}]
    for data in junks:
        r.receiver.on_gateway(op, data)
    assert r.receiver.speakers.present == set()
