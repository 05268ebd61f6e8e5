"""What a listening guild may cost and how turns are cut: plain values, from the settings."""

from dataclasses import dataclass

from application.ports.speech import EndOfTurn


@dataclass(frozen=True, slots=True)
class TurnRules:
    # With an end-of-turn model, the pause after which it is asked whether the turn is over; None: no model, and
    # only `silence_seconds` ends a turn. Either way `silence_seconds` ends it at the latest.
    pause_seconds: float | None = None
    silence_seconds: float = 0.6
    min_seconds: float = 0.4
    max_seconds: float = 30.0
    # RMS of 16-bit samples; speech close to a microphone sits far above it, room hiss below.
    voiced_rms: int = 300
    preroll_frames: int = 10  # 200 ms kept from before the first voiced frame, so no word is clipped
    tail_frames: int = 10  # and 200 ms after the last one


@dataclass(frozen=True, slots=True)
class HearingLimits:
    speakers: int = 10  # members decoded at once per guild; others are dropped until a slot frees
    packets_per_second: float = 75.0  # per speaker; Discord sends 50
    guild_packets_per_second: float = 800.0
    dave_failures: int = 50  # in a row, before the end-to-end session counts as broken
    idle_seconds: float = 5.0  # a speaker's decoder is freed after this long without packets


@dataclass(frozen=True, slots=True)
class ListeningOptions:
    rules: TurnRules = TurnRules()
    end_of_turn: EndOfTurn | None = None  # asked at each pause when `rules.pause_seconds` is set
    limits: HearingLimits = HearingLimits()
    barge_in: bool = True
    keepalive_seconds: float = 20.0  # Discord stops routing UDP after about a minute without outgoing packets
    tick_seconds: float = 0.05
    transcript_channel_id: int | None = None  # else the voice channel's own text chat
