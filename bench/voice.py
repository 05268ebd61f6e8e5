"""Listening figures on this machine: voice activity detection, the receive pipeline's cost, and the time
from the end of a member's question to Parrot's spoken answer. Prints; asserts nothing.

Run from the project root: `python -m bench.voice` (`--runs 10` for steadier percentiles, `--only vad`).
The first question after `!listen on` is reported apart from the others: nothing is warmed by hand.
Targets on 2 cores: end of speech to the first packet of the spoken answer at most 2.0 s at p50 (aim
1.5 s) with Whisper base and piper; how many members may speak at once with p95 under 4 s.
Everything runs in one process: the socket-level fake Discord sends the speech and hears the answer.
"""

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np

from adapters.audio.codec import PyAvAudioCodec
from adapters.config.settings import ListenSettings
from adapters.discord.listening.options import HearingLimits, TurnRules
from adapters.discord.listening.receiver import VoiceReceiver
from adapters.discord.listening.transport import XCHACHA
from adapters.discord.listening.turns import TurnTracker
from adapters.logs.setup import configure_logging
from cli import listening_options, settle, shutdown
from support import fakes
from support.discord_harness import build_app_bot, started
from support.fake_discord import FakeDiscord
from support.fake_discord.audio import OPUS_SILENCE, opus_frames
from support.fake_discord.server import SEND_MESSAGE
from support.fake_discord.voice import Mouth, seal
from support.shared_data import shared_data

QUESTION = "en_s2p_weather_new_york.wav"
FAQ = (
    "what's the weather like in new york => It is sunny in New York today.\n"
    "weather in new york => It is sunny in New York today.\n"
    "set a timer => I can't set timers yet.\ntimer for an hour => I can't set timers yet."
)
VAD_CLIPS = ("en_s2p_weather_new_york.wav", "en_jfk.flac", "en_fw_stereo_left.wav", "ru_s2p_weather_new_york.wav")
KEY = bytes(range(32))


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# -- voice activity detection -----------------------------------------------------------------------


async def bench_vad() -> None:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    codec = PyAvAudioCodec(max_bytes=50_000_000)
    print("\n## Voice activity detection on the shared clips (600 ms of silence ends a turn, 0.4 s minimum)")
    print(
        f"{'clip':32} {'s':>5} {'energy turns':>12} {'silero turns':>12} {'energy us/20ms':>14} {'silero us/20ms':>14}"
    )
    for name in VAD_CLIPS:
        path = shared_data("speech", name)
        clip = await codec.decode(path.read_bytes(), path.name, 60)
        pcm = clip.pcm
        frames = [pcm[i : i + 640] for i in range(0, len(pcm) - 639, 640)]
        tracker = TurnTracker(TurnRules())
        turns = 0
        started = time.perf_counter()
        for index, frame in enumerate(frames):
            now = index * 0.02
            _, capped = tracker.feed(frame, now)
            turns += capped is not None
            # A file has no packet gaps; the gap rule is the silence period measured on energy alone here.
            if tracker.due(now) is not None:
                turns += 1
        if tracker.due(len(frames) * 0.02 + 1.0) is not None:
            turns += 1
        energy_us = (time.perf_counter() - started) / len(frames) * 1e6
        audio = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768
        options = VadOptions(min_silence_duration_ms=600, min_speech_duration_ms=400)
        get_speech_timestamps(audio[:16000], options)  # load the model first
        started = time.perf_counter()
        segments = get_speech_timestamps(audio, options)
        silero_us = (time.perf_counter() - started) / len(frames) * 1e6
        print(
            f"{name:32} {clip.duration_seconds:5.1f} {turns:12} {len(segments):12} {energy_us:14.1f} {silero_us:14.1f}"
        )
    print("(webrtcvad-wheels is not installed in this project, so it is not measured here.)")


# -- the receive pipeline's cost --------------------------------------------------------------------


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def bench_pipeline(seconds: float = 3.0) -> None:
    """CPU per speaker of transport decryption, Opus decoding and turn tracking; memory per speaker's decoder."""
    frames = opus_frames(str(shared_data("speech", QUESTION)))
    print("\n## Receive pipeline, per active speaker (decrypt, decode, turns; no recognition)")
    for speakers in (1, 10, 25):
        clock = Clock()
        receiver = VoiceReceiver(
            own_user_id=1,
            rules=TurnRules(),
            limits=HearingLimits(speakers=100, guild_packets_per_second=1e9),
            opted_out=lambda user_id: False,
            dave=lambda: None,
            clock=clock,
        )
        receiver.set_transport(XCHACHA, KEY, own_ssrc=None)
        mouths = [Mouth(100 + n, 1000 + n) for n in range(speakers)]
        for mouth in mouths:
            receiver.on_gateway(5, {"user_id": str(mouth.user_id), "ssrc": mouth.ssrc, "speaking": 1})
        packets = []
        for index in range(int(seconds * 50)):
            for mouth in mouths:
                mouth.step()
                packets.append(seal(mouth, frames[index % len(frames)], KEY))
        before = rss_mb()
        started = time.process_time()
        for index, packet in enumerate(packets):
            clock.now = index // speakers * 0.02
            receiver.datagram(packet)
            if index % (speakers * 5) == 0:
                receiver.due()
        cpu = time.process_time() - started
        audio_seconds = len(packets) / 50
        print(
            f"{speakers:3} speakers: {cpu / audio_seconds * 100:5.2f} % of one core per speaker "
            f"({cpu / len(packets) * 1e6:5.0f} us a packet); "
            f"memory {max(0.0, rss_mb() - before) / speakers:5.2f} MB a speaker; dropped {dict(receiver.dropped)}"
        )


async def bench_handoff(repeats: int = 20) -> None:
    """What a turn costs to go through the work port: PCM wrapped as WAV, then decoded back by the codec."""
    codec = PyAvAudioCodec()
    clip = await codec.decode(shared_data("speech", QUESTION).read_bytes(), QUESTION, 60.0)
    wraps: list[float] = []
    decodes: list[float] = []
    for _ in range(repeats):
        started = time.perf_counter()
        audio = await codec.encode_for_hearing(clip)
        wraps.append(time.perf_counter() - started)
        started = time.perf_counter()
        await codec.decode(audio.data, "turn.wav", 600.0)
        decodes.append(time.perf_counter() - started)
    print(f"\n## Handing a {clip.duration_seconds:.1f} s turn to the work port (WAV, {len(audio.data) / 1024:.0f} KiB)")
    print(
        f"wrap p50 {statistics.median(wraps) * 1000:.3f} ms; decode on the worker side p50 "
        f"{statistics.median(decodes) * 1000:.2f} ms, p95 {percentile(decodes, 0.95) * 1000:.2f} ms"
    )


# -- end to end through the fake Discord ------------------------------------------------------------


@dataclass
class Timeline:
    """When each step of one answer was seen by the fake Discord (time.monotonic)."""

    transcript: float = 0.0
    answer: float = 0.0
    first_packet: float = 0.0


async def follow_answer(fake: FakeDiscord, calls: int, frames: int, after: float, timeout: float = 60.0) -> Timeline:
    timeline = Timeline()
    async with asyncio.timeout(timeout):
        while not timeline.first_packet:
            now = time.monotonic()
            for call in fake.calls[calls:]:
                if call.route != SEND_MESSAGE:
                    continue
                if call.content.startswith("🎙️") and not timeline.transcript:
                    timeline.transcript = now
                elif call.reply_to is not None and not timeline.answer:
                    timeline.answer = now
            for frame in fake.voice.frames[frames:]:
                if frame.opus != OPUS_SILENCE and frame.received_at >= after:
                    timeline.first_packet = frame.received_at
                    break
            await asyncio.sleep(0.005)
    return timeline


async def bench_latency(
    runs: int,
    concurrency: Sequence[int],
    dave: bool,
    pause: float,
    end_of_turn: Literal["model", "silence"] = "silence",
) -> None:
    """`runs` questions in a row, the first asked `pause` s after `!listen on` was answered, as a member would.

    Nothing is warmed by hand: what the first turn pays for, a member pays for too. It is reported apart.
    """
    frames = opus_frames(str(shared_data("speech", QUESTION)))
    with tempfile.TemporaryDirectory() as root:
        async with FakeDiscord(dave=dave) as fake:
            # As `parrot run` listens (listen.end_of_turn, pause_ms, silence_ms), ticking faster for finer figures.
            options = replace(
                listening_options(ListenSettings(end_of_turn=end_of_turn)), tick_seconds=0.02, keepalive_seconds=3600.0
            )
            bot, container = build_app_bot(
                fake, Path(root), real_speech=True, listening=options, listen={"wake_name": ""}
            )
            fake.voice.dave_member_id = fake.world.admin.id  # the member speaking is the fake's DAVE participant
            async with started(bot, fake):
                world = fake.world
                trained = await fake.send_message(world.admin, f"!train {FAQ}")
                await fake.reply_to(trained)
                await settle(container)
                await fake.move_to_voice(world.admin, world.voice_channel.id)
                started_rss = rss_mb()
                on = await fake.send_message(world.admin, "!listen on")
                await fake.reply_to(on)
                listening_at = time.monotonic()
                if dave:
                    await asyncio.wait_for(fake.voice.dave_ready.wait(), 10)
                await asyncio.sleep(max(0.0, pause - (time.monotonic() - listening_at)))
                warm_up = container.voice.warm_up()
                if warm_up.last_seconds is None:
                    print(f"\n(the speech warm-up that `!listen on` asked for was still running {pause:.1f} s later)")
                print(f"\n## End of speech (last voiced packet) to the first packet of the spoken answer ({QUESTION})")
                print(
                    f"turns ended by {end_of_turn}; DAVE {'on' if dave else 'off'}; "
                    f"the first question {pause:.1f} s after `!listen on` was answered; memory then {rss_mb():.0f} MB "
                    f"(before `!listen on`: {started_rss:.0f} MB)"
                )
                latencies: list[float] = []
                steps: list[tuple[float, float]] = []
                mouth = Mouth(world.admin.id, 5555)
                for run in range(runs):
                    mark, calls = len(fake.voice.frames), len(fake.calls)
                    ended = await fake.voice.speak(mouth, frames)
                    timeline = await follow_answer(fake, calls, mark, ended)
                    await fake.voice.wait_for_silence(mark, timeout=60)
                    latencies.append(timeline.first_packet - ended)
                    steps.append((timeline.transcript - ended, timeline.answer - ended))
                    print(
                        f"  turn {run + 1}: {latencies[-1]:.2f} s (transcript after {steps[-1][0]:.2f} s, "
                        f"answer after {steps[-1][1]:.2f} s)"
                    )
                rest = latencies[1:] or latencies
                print(
                    f"first turn {latencies[0]:.2f} s; the other {len(latencies) - 1}: "
                    f"p50 {percentile(rest, 0.5):.2f} s, p95 {percentile(rest, 0.95):.2f} s, "
                    f"min {min(rest):.2f} s, max {max(rest):.2f} s"
                )
                others = steps[1:] or steps
                ending = (
                    "the model's verdict at the pause or" if options.end_of_turn is not None else "only"
                ) + f" {options.rules.silence_seconds:.1f} s of silence ending the turn"
                print(
                    f"of which (medians of the others): transcript posted after "
                    f"{statistics.median(t for t, _ in others):.2f} s "
                    f"({ending}, Whisper base from the {options.rules.pause_seconds or 0:.1f} s pause on), "
                    f"answer posted after {statistics.median(a for _, a in others):.2f} s; the rest is piper"
                )
                print(f"memory with Whisper base and piper loaded: {rss_mb():.0f} MB")
                if warm_up.last_seconds is not None:
                    print(f"the warm-up `!listen on` asked for took {warm_up.last_seconds:.2f} s, in the background")

                print("\n## Members speaking at once in one guild: end of speech to the answer posted (text)")
                if dave:
                    print("(not with --dave: the fake Discord's one DAVE participant is the only member who can speak)")
                for count in concurrency if not dave else ():
                    mouths = [
                        Mouth(world.admin.id if n == 0 else 7000 + n, 6000 + n * 10 + count) for n in range(count)
                    ]
                    for n, m in enumerate(mouths[1:], start=1):
                        bot.listening.receiver(world.guild_id).speakers.on_gateway(  # type: ignore[union-attr]
                            5, {"user_id": str(m.user_id), "ssrc": m.ssrc, "speaking": 1}
                        )
                        del n
                    mark = len(fake.calls)
                    ends = await asyncio.gather(*(fake.voice.speak(m, frames) for m in mouths))
                    ended = max(ends)
                    arrived: list[float] = []
                    seen = mark
                    async with asyncio.timeout(120):
                        while len(arrived) < count:
                            for call in fake.calls[seen:]:
                                if call.route == SEND_MESSAGE and call.reply_to is not None:
                                    arrived.append(time.monotonic())
                            seen = len(fake.calls)
                            await asyncio.sleep(0.01)
                    waits = [t - ended for t in arrived]
                    print(
                        f"{count:2} at once: p50 {percentile(waits, 0.5):.2f} s, p95 {percentile(waits, 0.95):.2f} s "
                        f"(answers {len(arrived)})"
                    )
                    await settle(container)
                await settle(container)
                await shutdown(container)


async def bench_idle_guild(seconds: float = 3.0) -> None:
    """What a listening guild costs while nobody speaks (its tick and keepalive), fake Discord included."""
    with tempfile.TemporaryDirectory() as root:
        async with FakeDiscord() as fake:
            stt = fakes.ScriptedSpeechToText([])
            bot, container = build_app_bot(fake, Path(root), stt=stt)
            async with started(bot, fake):
                await fake.move_to_voice(fake.world.admin, fake.world.voice_channel.id)
                await fake.reply_to(await fake.send_message(fake.world.admin, "!listen on"))
                before, cpu = rss_mb(), time.process_time()
                await asyncio.sleep(seconds)
                used = time.process_time() - cpu
                print(
                    f"\n## A listening guild with nobody speaking: {used / seconds * 100:.2f} % of one core, "
                    f"{rss_mb() - before:+.1f} MB over {seconds:.0f} s"
                )
                await shutdown(container)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="questions asked in a row; the first is reported apart")
    parser.add_argument("--pause", type=float, default=2.0, help="seconds from `!listen on` to the first question")
    parser.add_argument("--dave", action="store_true", help="with DAVE's end-to-end layer (one member speaks then)")
    parser.add_argument("--concurrency", default="1,2,4,6")
    parser.add_argument("--only", choices=("vad", "pipeline", "handoff", "idle", "latency"))
    parser.add_argument("--end-of-turn", choices=("model", "silence"), default="silence", help="listen.end_of_turn")
    arguments = parser.parse_args()
    configure_logging("WARNING", "console")  # the figures, not the bot's own log lines
    load = os.getloadavg()
    print(f"# bench/voice.py on {os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    if arguments.only in (None, "vad"):
        await bench_vad()
    if arguments.only in (None, "pipeline"):
        bench_pipeline()
    if arguments.only in (None, "handoff"):
        await bench_handoff()
    if arguments.only in (None, "idle"):
        await bench_idle_guild()
    if arguments.only in (None, "latency"):
        await bench_latency(
            arguments.runs,
            [int(n) for n in arguments.concurrency.split(",") if n],
            arguments.dave,
            arguments.pause,
            arguments.end_of_turn,
        )
    load = os.getloadavg()
    print(f"\nload average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (a shared machine: figures are noisy)")


if __name__ == "__main__":
    asyncio.run(main())
