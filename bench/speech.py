"""Speech figures on this machine: accuracy, speed, memory, event-loop lag. Prints; asserts nothing.

Run from the project root: `python -m bench.speech` (add `--runs 20` for steadier percentiles; `--only voices`
for the voices' round trip on the starter's answers alone).
Targets on 2 cores: a 10 s voice message transcribed in 1.5 s (p50); real-time factor <= 0.25; first
audio of a reply within 0.5 s; peak memory with Whisper and Piper loaded < 700 MB; event-loop lag
p99 < 50 ms with 4 transcriptions in flight.
"""

import argparse
import asyncio
import csv
import os
import resource
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from adapters.audio.codec import PyAvAudioCodec
from adapters.datasets.starter import read_starter
from adapters.speech.espeak import EspeakTextToSpeech
from adapters.speech.festival import FestivalTextToSpeech, festival_missing
from adapters.speech.piper import PiperTextToSpeech
from adapters.speech.russian_text import normalise_russian
from adapters.speech.sphinx import SphinxSpeechToText
from adapters.speech.whisper import WhisperSpeechToText
from adapters.spoken_words import spoken_words
from application.ports.speech import SpeechToText, TextToSpeech
from domain.errors import BackendUnavailable
from domain.speech import AudioClip
from domain.spoken_text import split_sentences, spoken_text
from support.shared_data import shared_data
from support.wer import character_error_rate, word_error_rate  # the scorer the tests assert with

VOICE_MESSAGE = "en_jfk.ogg"  # 11 s of speech as Discord sends a voice message
# A one-sentence reply, with the markdown a chat reply may carry.
REPLY = "I have saved your note, and I will remind you about it **tomorrow** at nine in the morning."
MAX_SECONDS = 600
# Round trips (synthesised, then recognised by Whisper with the language given): how intelligible each voice is.
ROUND_TRIP = {
    "en-US": [
        "Hello! I'm Parrot, a bot that learns from your server.",
        "What is the weather like in London today?",
        "An admin teaches me with the train command.",
        "Thank you, it was nice talking to you.",
        "I keep feedback and corrections on this server only.",
        "Join a voice channel and I will answer out loud.",
        "I don't know the answer to that question yet.",
        "Goodbye, have a nice evening!",
    ],
    "ru-RU": [
        "Привет! Я Паррот, бот, который учится у вашего сервера.",
        "Какая сейчас погода в Москве?",
        "Чтобы научить меня, администратор пишет команду обучения.",
        "Спасибо, было приятно поговорить.",
        "Я храню отзывы и исправления только на этом сервере.",
        "Зайдите в голосовой канал, и я буду отвечать голосом.",
        "Я пока не знаю ответа на этот вопрос.",
        "До свидания, хорошего вечера!",
    ],
}


@dataclass(frozen=True)
class Clip:
    file: str
    reference: str
    data: bytes

    @property
    def language(self) -> str:
        return "ru-RU" if self.file.startswith("ru_") else "en-US"


def load_clips() -> list[Clip]:
    with shared_data("speech", "transcripts.tsv").open(encoding="utf-8", newline="") as table:
        rows = list(csv.DictReader(table, delimiter="\t"))
    return [Clip(row["file"], row["reference"], shared_data("speech", row["file"]).read_bytes()) for row in rows]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.0f} ms"


async def timed(work: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await work()
    return time.perf_counter() - started


async def accuracy(name: str, stt: SpeechToText, codec: PyAvAudioCodec, clips: list[Clip], detect: bool) -> None:
    by_language: dict[str, list[tuple[str, str]]] = {}
    audio_seconds = work_seconds = 0.0
    for clip in clips:
        audio = await codec.decode(clip.data, clip.file, MAX_SECONDS)
        started = time.perf_counter()
        try:
            transcript = await stt.transcribe(audio, None if detect else clip.language)
        except BackendUnavailable:
            continue  # a backend without this language (Sphinx and Russian)
        work_seconds += time.perf_counter() - started
        audio_seconds += audio.duration_seconds
        by_language.setdefault(clip.language[:2], []).append((clip.reference, transcript.text))
    wers = "  ".join(
        f"{language} WER {word_error_rate(pairs):.3f} CER {character_error_rate(pairs):.3f} ({len(pairs)} clips)"
        for language, pairs in by_language.items()
    )
    print(f"  {name:<30} {wers}  RTF {work_seconds / audio_seconds:.3f}")


async def voice_message_latency(stt: SpeechToText, codec: PyAvAudioCodec, clip: Clip, runs: int) -> list[float]:
    async def once() -> None:
        audio = await codec.decode(clip.data, clip.file, MAX_SECONDS)
        await stt.transcribe(audio, "en-US")

    return [await timed(once) for _ in range(runs)]


async def first_audio(tts: TextToSpeech, codec: PyAvAudioCodec, language: str, runs: int) -> list[float]:
    """From the reply's text to the first sentence ready for a voice channel (Ogg/Opus)."""

    async def once() -> None:
        first = split_sentences(spoken_text(REPLY))[0]
        await codec.encode_for_voice(await tts.synthesize(first, language))

    return [await timed(once) for _ in range(runs)]


async def detection_cost(cache: Path, codec: PyAvAudioCodec, clip: Clip, runs: int) -> None:
    """The voice message heard with its language given, then detected among English and Russian."""
    fixed = WhisperSpeechToText(cache)
    shared = WhisperSpeechToText(cache, languages=("en", "ru"))
    unshared = WhisperSpeechToText(cache, languages=("en", "ru"), share_encoder=False)
    ways: list[tuple[str, WhisperSpeechToText, str | None]] = [
        ("language given (en)", fixed, "en-US"),
        ("detected among en, ru (encoder output shared)", shared, None),
        ("detected among en, ru (encoded twice)", unshared, None),
    ]
    audio = await codec.decode(clip.data, clip.file, MAX_SECONDS)
    for _, stt, _ in ways:
        await stt.warm_up()
    times: dict[str, list[float]] = {name: [] for name, _, _ in ways}
    for _ in range(runs):  # interleaved, so that a busy moment of the machine falls on every way alike
        for name, stt, language in ways:
            started = time.perf_counter()
            await stt.transcribe(audio, language)
            times[name].append(time.perf_counter() - started)
    base = percentile(times[ways[0][0]], 0.5)
    for name, _, _ in ways:
        p50 = percentile(times[name], 0.5)
        print(f"  {name:<48} p50 {ms(p50)}  {100 * (p50 / base - 1):+5.1f}% (target <= +15%)")
    for _, stt, _ in ways:
        stt.close()


async def round_trip(tts: TextToSpeech, stt: SpeechToText, language: str) -> str:
    pairs = []
    for sentence in ROUND_TRIP[language]:
        spoken = await tts.synthesize(sentence, language)
        pairs.append((sentence, (await stt.transcribe(spoken, language)).text))
    return f"WER {word_error_rate(pairs):.3f}  CER {character_error_rate(pairs):.3f}  ({len(pairs)} sentences)"


def starter_answers(language: str) -> list[list[str]]:
    """The starter's answers in `language`, each cut into sentences as the voice driver says them."""
    answers = read_starter().answers
    suffix = f"_{language}"
    return [
        split_sentences(spoken_text(spoken_words(answer, "!", language)))
        for intent, answer in answers.items()
        if intent.endswith(suffix)
    ]


def heard_alike(text: str) -> str:
    """For scoring only: Latin words in Cyrillic, so "Discord" heard as "Дискорд" (or the reverse) is no error."""
    return normalise_russian(text)


async def voice_on_answers(
    label: str, tts: TextToSpeech, stt: SpeechToText, language: str, answers: list[list[str]], runs: int
) -> None:
    alike = heard_alike if language.startswith("ru") else str
    """Every sentence synthesised and heard back (language given); the first sentence of each answer timed warm."""
    await tts.synthesize(answers[0][0], language)  # warm: the first call may load a model or start a process
    pairs: list[tuple[str, str]] = []
    for sentence in (sentence for answer in answers for sentence in answer):
        spoken = await tts.synthesize(sentence, language)
        pairs.append((sentence, (await stt.transcribe(spoken, language)).text))
    firsts: list[float] = []
    for _ in range(runs):
        for answer in answers:
            started = time.perf_counter()
            await tts.synthesize(answer[0], language)
            firsts.append(time.perf_counter() - started)
    scored = [(alike(reference), alike(heard)) for reference, heard in pairs]
    print(
        f"  {label:<34} CER {character_error_rate(scored):.3f}  WER {word_error_rate(scored):.3f}"
        f"  (as written: CER {character_error_rate(pairs):.3f})"
        f"  first sentence p50 {ms(percentile(firsts, 0.5))}  p95 {ms(percentile(firsts, 0.95))}"
        f"  ({len(pairs)} sentences, {len(firsts)} timed)"
    )


async def voices(whisper: SpeechToText, piper: TextToSpeech, espeak: TextToSpeech, runs: int) -> None:
    """Each voice on the starter's answers in its language, heard back by Whisper base with the language given."""
    load = os.getloadavg()
    print(
        "Voices on the starter's answers, as the voice driver says them; Whisper base hears them back "
        f"(load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})"
    )
    print("  CER/WER in Russian with Latin words compared in Cyrillic on both sides; first sentence: synthesis, warm")
    russian, english = starter_answers("ru"), starter_answers("en")
    await voice_on_answers("en-US piper", piper, whisper, "en-US", english, runs)
    await voice_on_answers("ru-RU espeak", espeak, whisper, "ru-RU", russian, runs)
    missing = festival_missing()
    if missing is not None:
        print(f"  ru-RU festival: not measured: {missing}")
        return
    for label, normalise in (("ru-RU festival", None), ("ru-RU festival + russian_text", normalise_russian)):
        festival = FestivalTextToSpeech(normalise=normalise)
        try:
            await voice_on_answers(label, festival, whisper, "ru-RU", russian, runs)
        finally:
            festival.close()


async def tts_rtf(tts: TextToSpeech, language: str, text: str) -> float:
    started = time.perf_counter()
    clip: AudioClip = await tts.synthesize(text, language)
    return (time.perf_counter() - started) / clip.duration_seconds


async def loop_lag_under_load(stt: SpeechToText, codec: PyAvAudioCodec, clip: Clip, in_flight: int) -> None:
    lags: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        period = 0.005
        while not stop.is_set():
            started = time.perf_counter()
            await asyncio.sleep(period)
            lags.append(time.perf_counter() - started - period)

    async def one() -> float:
        started = time.perf_counter()
        audio = await codec.decode(clip.data, clip.file, MAX_SECONDS)
        await stt.transcribe(audio, "en-US")
        return time.perf_counter() - started

    tick = asyncio.create_task(ticker())
    started = time.perf_counter()
    latencies = await asyncio.gather(*(one() for _ in range(in_flight)))
    wall = time.perf_counter() - started
    stop.set()
    await tick
    print(
        f"  {in_flight} voice messages at once: all done in {wall:.2f} s "
        f"(each {min(latencies):.2f}-{max(latencies):.2f} s); loop lag p50 {ms(percentile(lags, 0.5))}, "
        f"p99 {ms(percentile(lags, 0.99))}, max {ms(max(lags))} over {len(lags)} ticks"
    )


async def only_voices(runs: int) -> None:
    print(f"Speech bench, voices only: {os.cpu_count()} CPUs, {runs} runs per latency figure")
    with tempfile.TemporaryDirectory(prefix="parrot-bench-") as cache:
        whisper, piper, espeak = WhisperSpeechToText(Path(cache)), PiperTextToSpeech(), EspeakTextToSpeech()
        try:
            await whisper.warm_up()
            await voices(whisper, piper, espeak, runs)
        finally:
            for backend in (whisper, piper, espeak):
                backend.close()


async def main(runs: int) -> None:
    print(f"Speech bench: {os.cpu_count()} CPUs, {runs} runs per latency figure")
    clips = load_clips()
    voice_message = next(clip for clip in clips if clip.file == VOICE_MESSAGE)
    codec = PyAvAudioCodec()
    print(f"  memory at start: {rss_mb():.0f} MB")

    with tempfile.TemporaryDirectory(prefix="parrot-bench-") as cache:
        whisper = WhisperSpeechToText(Path(cache))
        piper = PiperTextToSpeech()
        espeak = EspeakTextToSpeech()
        print(f"  whisper: assembled and loaded in {await timed(whisper.warm_up):.2f} s; memory {rss_mb():.0f} MB")
        print(f"  piper: loaded in {await timed(piper.warm_up):.2f} s; memory {rss_mb():.0f} MB")

        print("Speech to text: word error rate over the shared clips, real-time factor (recognition only)")
        await accuracy("whisper base (language given)", whisper, codec, clips, detect=False)
        await accuracy("whisper base (detected)", whisper, codec, clips, detect=True)

        audio = await codec.decode(voice_message.data, voice_message.file, MAX_SECONDS)
        print(f"Voice message ({voice_message.file}, {audio.duration_seconds:.1f} s): decode + transcribe")
        latencies = await voice_message_latency(whisper, codec, voice_message, runs)
        print(
            f"  whisper: p50 {ms(percentile(latencies, 0.5))}  p95 {ms(percentile(latencies, 0.95))}  (target p50 1500)"
        )
        decode = [
            await timed(lambda: codec.decode(voice_message.data, voice_message.file, MAX_SECONDS)) for _ in range(runs)
        ]
        print(f"  of which decoding alone: p50 {ms(percentile(decode, 0.5))}")

        print("Text to speech: first sentence of a reply ready to play (Ogg/Opus), and real-time factor")
        piper_first = await first_audio(piper, codec, "en-US", runs)
        print(
            f"  piper:  first audio p50 {ms(percentile(piper_first, 0.5))}  p95 {ms(percentile(piper_first, 0.95))}"
            f"  RTF {await tts_rtf(piper, 'en-US', REPLY):.3f}  (target 500 ms)"
        )
        espeak_first = await first_audio(espeak, codec, "ru-RU", runs)
        print(
            f"  espeak: first audio p50 {ms(percentile(espeak_first, 0.5))}  p95 {ms(percentile(espeak_first, 0.95))}"
            f"  RTF {await tts_rtf(espeak, 'ru-RU', 'Какая погода будет завтра в Москве? Тепло и солнечно.'):.3f}"
        )

        print("Event loop while transcribing (a ticker every 5 ms measures how late it wakes; target p99 < 50 ms)")
        await loop_lag_under_load(whisper, codec, voice_message, in_flight=4)

        print(
            f"Memory with whisper and piper loaded: now {rss_mb():.0f} MB, peak {peak_rss_mb():.0f} MB (target < 700)"
        )

        print(f"Language detection on the voice message ({audio.duration_seconds:.1f} s), {runs} runs each")
        await detection_cost(Path(cache), codec, voice_message, runs)

        print("Round trip: each voice synthesises sentences, Whisper base hears them back (language given)")
        print(f"  en-US piper:  {await round_trip(piper, whisper, 'en-US')}")
        print(f"  ru-RU espeak: {await round_trip(espeak, whisper, 'ru-RU')}")
        await voices(whisper, piper, espeak, runs)

        sphinx = SphinxSpeechToText()
        print("Sphinx (offline fallback, English only)")
        await accuracy("sphinx", sphinx, codec, [clip for clip in clips if clip.language == "en-US"], detect=False)
        sphinx_latencies = await voice_message_latency(sphinx, codec, voice_message, max(3, runs // 3))
        print(f"  sphinx voice message: p50 {ms(percentile(sphinx_latencies, 0.5))}")
        print("  google, gtts: online services, not measured here (no internet; tests cover their error handling)")
        print(f"Peak memory over the whole bench: {peak_rss_mb():.0f} MB")
        for backend in (whisper, piper, espeak, sphinx):
            backend.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Speech figures on this machine; prints, asserts nothing.")
    parser.add_argument("--runs", type=int, default=10, help="repetitions for each latency figure")
    parser.add_argument("--only", choices=["voices"], default=None, help="run one part: the voices' round trip")
    arguments = parser.parse_args()
    asyncio.run(only_voices(arguments.runs) if arguments.only == "voices" else main(arguments.runs))
