"""How often a turn is cut before the speaker finished: the end-of-turn model against the silence rule.

Each shared clip is one spoken sentence, sent as a Discord client sends it (20 ms Opus frames, nothing while
quiet) through the receive pipeline and the turn state machine on a hand-turned clock; every turn past the first
is an early cut. The same clips again with 400, 550 and 700 ms of silence spliced in at word gaps (the quietest
frames in the middle of the sentence). Hearing starts at each short pause under either rule and is dropped when
the member goes on: `hearings` counts them per sentence, as the recogniser's extra work. Last, what the model
costs: CPU seconds per call and per second of speech, and the load average (the machine may be shared).

    python -m bench.turns [--thresholds 0.5 0.8]
"""

import argparse
import asyncio
import os
import time
from dataclasses import dataclass

from adapters.discord.listening.options import TurnRules
from adapters.discord.listening.opus import OpusStream
from adapters.discord.listening.turns import rms
from adapters.logs.setup import configure_logging
from adapters.speech.model_files import smart_turn_file
from adapters.speech.smart_turn import SmartTurn
from application.ports.speech import EndOfTurn
from domain.speech import AudioClip
from support.fake_discord.audio import opus_frames
from support.shared_data import shared_data
from support.turn_rig import turn_rig

CLIPS = (
    "en_s2p_weather_new_york.wav",
    "en_s2p_timer_3h10m.wav",
    "en_fw_stereo_left.wav",
    "en_one_two_three.wav",
    "en_jfk.flac",
    "ru_s2p_weather_new_york.wav",
    "ru_s2pgen_turn_on_lamp.wav",
    "ru_s2p_nevazhno.wav",
)
SPLICES = (0.4, 0.55, 0.7)
PAUSE, SILENCE = 0.2, 0.6


@dataclass
class Counted:
    runs: int = 0
    cut: int = 0  # runs with at least one early cut
    cuts: int = 0  # early cuts in all
    judged: int = 0  # the model's calls
    hearings: int = 0  # tentative and whole, dropped or answered
    spoken: float = 0.0  # seconds of frames sent


def gaps(frames: list[bytes], count: int = 3) -> list[int]:
    """Up to `count` word gaps inside the sentence: the quietest frames between 25 % and 85 % of it, apart."""
    stream = OpusStream()
    energy = [rms(stream.decode(frame)) for frame in frames]
    loud = [index for index, value in enumerate(energy) if value >= 300] or [0, len(frames) - 1]
    first, last = loud[0], loud[-1]
    inside = range(first + (last - first) // 4, first + (last - first) * 85 // 100)
    chosen: list[int] = []
    for index in sorted(inside, key=lambda index: energy[index]):
        if all(abs(index - other) >= 25 for other in chosen):
            chosen.append(index)
        if len(chosen) == count:
            break
    return sorted(chosen)


async def turns(
    end_of_turn: EndOfTurn | None, frames: list[bytes], splice: tuple[int, float] | None
) -> tuple[int, int, int]:
    """(turns answered, model calls, hearings) for one sentence, spliced at (frame, seconds of silence) or not."""
    rules = TurnRules(pause_seconds=PAUSE, silence_seconds=SILENCE)
    rig = turn_rig(end_of_turn, rules)
    if splice is None:
        await rig.speak(frames)
    else:
        at, seconds = splice
        await rig.speak(frames[:at])
        await rig.quiet(seconds)
        await rig.speak(frames[at:])
    await rig.quiet(SILENCE + 0.4)
    return len(await rig.answered()), rig.ending.judged, len(rig.heard)


async def count(end_of_turn: EndOfTurn | None, sentences: dict[str, list[bytes]], spliced: bool) -> Counted:
    counted = Counted()
    for frames in sentences.values():
        cases: list[tuple[int, float] | None] = (
            [(at, seconds) for at in gaps(frames) for seconds in SPLICES] if spliced else [None]
        )
        for case in cases:
            answered, judged, hearings = await turns(end_of_turn, frames, case)
            counted.runs += 1
            counted.cut += answered > 1
            counted.cuts += max(0, answered - 1)
            counted.judged += judged
            counted.hearings += hearings
            counted.spoken += len(frames) * 0.02
    return counted


def cpu_per_call(model: SmartTurn, frames_seconds: float = 4.0, calls: int = 30) -> tuple[float, float]:
    """(CPU seconds, wall seconds) per call, on this thread: the adapter's one thread does the same work."""
    clip = AudioClip(bytes(int(frames_seconds * 16000) * 2), 16000)
    model.probability(clip)  # loads the model
    cpu, wall = time.thread_time(), time.perf_counter()
    for _ in range(calls):
        model.probability(clip)
    return (time.thread_time() - cpu) / calls, (time.perf_counter() - wall) / calls


async def main(thresholds: list[float]) -> None:
    configure_logging("WARNING", "console")  # the figures, not the listener's own log lines
    sentences = {name: opus_frames(str(shared_data("speech", name))) for name in CLIPS}
    print(f"## Early cuts: {len(CLIPS)} shared clips, one sentence each; spliced: {SPLICES} s at 3 word gaps each")
    print(f"(model: judged after {PAUSE * 1000:.0f} ms of quiet, else waits to {SILENCE * 1000:.0f} ms of silence)")
    print(
        f"{'rule':24} {'clips':>6} {'cut':>4} {'cuts':>4} {'hearings':>8}   "
        f"{'spliced':>7} {'cut':>4} {'cuts':>4} {'hearings':>8}  {'calls/s':>7}"
    )
    models = {f"model (p > {threshold})": SmartTurn(smart_turn_file(), threshold) for threshold in thresholds}
    rules: dict[str, EndOfTurn | None] = {f"silence {SILENCE * 1000:.0f} ms": None, **models}
    rates: dict[str, float] = {}
    for name, end_of_turn in rules.items():
        whole = await count(end_of_turn, sentences, spliced=False)
        spliced = await count(end_of_turn, sentences, spliced=True)
        rate = (whole.judged + spliced.judged) / (whole.spoken + spliced.spoken)
        rates[name] = rate
        print(
            f"{name:24} {whole.runs:6} {whole.cut:4} {whole.cuts:4} {whole.hearings / whole.runs:8.2f}   "
            f"{spliced.runs:7} {spliced.cut:4} {spliced.cuts:4} {spliced.hearings / spliced.runs:8.2f}  {rate:7.2f}"
        )
    print(
        "(cut: sentences split at least once; cuts: early ends in all; hearings: per sentence; "
        "calls/s: model calls per second spoken)"
    )
    model = next(iter(models.values()))
    cpu, wall = cpu_per_call(model)
    print(f"\n## The model's cost, one thread: {cpu * 1000:.1f} ms CPU ({wall * 1000:.1f} ms wall) a call")
    for name, rate in rates.items():
        if rate:
            print(f"{name:24} {rate * cpu * 100:5.2f} % of one core per speaker while speaking")
    print(f"load average: {' '.join(f'{value:.2f}' for value in os.getloadavg())} ({os.cpu_count()} cores)")
    for model in models.values():
        model.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.5])
    asyncio.run(main(parser.parse_args().thresholds))
