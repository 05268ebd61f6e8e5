"""English and Russian figures of every local backend and sentence encoder: print them, assert nothing.

For each backend (tfidf; embedded and hybrid with each encoder), accuracy and macro-F1 on:
- EN77: BANKING77, English train -> English test (all 77 intents; also the training time);
- EN26: the 26 intents of the Russian set, in English (its rows' English originals, train -> test);
- RU26: the same rows in Russian, train -> test; EN->RU: trained on EN26's training rows, tested in Russian;
  RU->EN the other way round;
- the starter dataset's 5-fold cross-validated accuracy per language.
Out of scope: 6 of the 26 intents left out of training (the same in both languages); their test messages
should be refused at the backend's default threshold. Recall = refused unseen / unseen; precision = unseen among
those refused; per language (EN, RU) and trained in English, asked in Russian (EN->RU).
Answer time: p50/p99 of single messages (half English, half Russian) to the EN26 model, the encoder warm.

    .venv/bin/python -m bench.model --languages [--quick] [--backend ...] [--encoder minilm,e5,use,minilm+use]

Each backend and encoder runs in a process of its own (one encoder loaded, as in the bot).
"""

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from adapters.model.embedded import EmbeddedBackend
from adapters.model.encoder import ENCODERS
from adapters.model.hybrid import HybridBackend
from adapters.model.linear_model import LinearIntentModel
from adapters.model.local_backend import LocalBackend
from adapters.model.tfidf import TfidfBackend
from bench.banking77_ru import RUSSIAN_SET, ParallelRow, read_parallel
from bench.model import Pairs, per_intent, read_split, train
from domain.evaluation import evaluate_predictions
from domain.training import OUT_OF_SCOPE

UNSEEN_SEED = 7
SWEEP = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
LATENCY_MESSAGES = 300
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def make_backend(kind: str, encoder: str) -> LocalBackend:
    if kind == "tfidf":
        return TfidfBackend()
    if kind == "embedded":
        return EmbeddedBackend(encoder=encoder)
    if kind == "hybrid":
        return HybridBackend(encoder=encoder)
    raise ValueError(f"unknown backend {kind!r}")


def sample_rows(rows: list[ParallelRow], count: int) -> list[ParallelRow]:
    """At most `count` rows per intent, the first ones (the set is small: no seed needed)."""
    kept: dict[str, int] = defaultdict(int)
    chosen = []
    for row in rows:
        if kept[row.category] < count:
            kept[row.category] += 1
            chosen.append(row)
    return chosen


async def scored(model: LinearIntentModel, pairs: Pairs) -> dict[str, float]:
    predictions = await model.predict_many([text for text, _ in pairs])
    report = evaluate_predictions(
        [label for _, label in pairs], [p.intent for p in predictions], [p.confidence for p in predictions], "test"
    )
    return {"accuracy": report.accuracy, "macro_f1": report.macro_f1, "examples": len(pairs)}


async def out_of_scope(model: LinearIntentModel, pairs: Pairs, unseen: set[str]) -> dict[str, Any]:
    """Recall and precision of refusing the unseen intents' messages at the model's own threshold, and at each of
    SWEEP (the figures a default threshold is chosen by)."""
    truths = [OUT_OF_SCOPE if label in unseen else label for _, label in pairs]
    predictions = await model.predict_many([text for text, _ in pairs])

    def at(threshold: float) -> tuple[float, float]:
        report = evaluate_predictions(
            truths, [p.intent for p in predictions], [p.confidence for p in predictions], "oos", threshold=threshold
        )
        assert report.oos_recall is not None and report.oos_precision is not None
        return report.oos_recall, report.oos_precision

    recall, precision = at(model.threshold)
    sweep = {f"{threshold:.2f}": at(threshold) for threshold in SWEEP}
    return {"recall": recall, "precision": precision, "threshold": model.threshold, "sweep": sweep}


async def latencies(model: LinearIntentModel, texts: Sequence[str]) -> dict[str, float]:
    await model.predict(texts[0])
    times = []
    for text in texts:
        started = time.perf_counter()
        await model.predict(text)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"p50_ms": statistics.median(times), "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))]}


async def run_one(kind: str, encoder: str, quick: bool, folder: Path) -> dict[str, Any]:
    from adapters.datasets.starter import read_starter
    from application.learning.starter import cross_validated_accuracy

    train_rows, test_rows = read_parallel("train", folder), read_parallel("test", folder)
    b77_train, b77_test = read_split("banking77", "train"), read_split("banking77", "test")
    if quick:
        train_rows, test_rows = sample_rows(train_rows, 10), sample_rows(test_rows, 8)
        b77_train, b77_test = per_intent(b77_train, 30, 0), per_intent(b77_test, 8, 0)
    en_train = [(r.english, r.category) for r in train_rows]
    ru_train = [(r.russian, r.category) for r in train_rows]
    en_test = [(r.english, r.category) for r in test_rows]
    ru_test = [(r.russian, r.category) for r in test_rows]
    backend = make_backend(kind, encoder)
    results: dict[str, Any] = {"backend": kind, "encoder": encoder if kind != "tfidf" else "-"}
    try:
        seconds, _, model = await train(backend, "banking77", b77_train)
        results["en77"] = await scored(model, b77_test) | {"train_seconds": seconds}
        _, _, english = await train(backend, "en26", en_train)
        _, _, russian = await train(backend, "ru26", ru_train)
        results["en26"] = await scored(english, en_test)
        results["ru26"] = await scored(russian, ru_test)
        results["en_ru"] = await scored(english, ru_test)
        results["ru_en"] = await scored(russian, en_test)
        mixed = [text for pair in zip(en_test, ru_test, strict=True) for text, _ in pair][:LATENCY_MESSAGES]
        results["latency"] = await latencies(english, mixed)
        intents = sorted({r.category for r in train_rows})
        unseen = set(random.Random(UNSEEN_SEED).sample(intents, len(intents) // 4))
        _, _, seen_en = await train(backend, "en-oos", [p for p in en_train if p[1] not in unseen])
        _, _, seen_ru = await train(backend, "ru-oos", [p for p in ru_train if p[1] not in unseen])
        results["oos_en"] = await out_of_scope(seen_en, en_test, unseen)
        results["oos_ru"] = await out_of_scope(seen_ru, ru_test, unseen)
        results["oos_en_ru"] = await out_of_scope(seen_en, ru_test, unseen)
        results["unseen_intents"] = len(unseen)
        results["starter"] = await cross_validated_accuracy(backend, read_starter(), folds=5)
    finally:
        backend.close()
    return results


def combinations(backends: Sequence[str], encoders: Sequence[str]) -> list[tuple[str, str]]:
    chosen = []
    for kind in backends:
        for encoder in ["-"] if kind == "tfidf" else encoders:
            chosen.append((kind, encoder))
    return chosen


def run_all(backends: Sequence[str], encoders: Sequence[str], quick: bool, folder: Path) -> list[dict[str, Any]]:
    results = []
    for kind, encoder in combinations(backends, encoders):
        command = [sys.executable, "-m", "bench.languages", "--one", kind, "--encoder", encoder]
        command += ["--russian-set", str(folder)] + (["--quick"] if quick else [])
        print(f"running {kind} {encoder}...", flush=True)
        started = time.perf_counter()
        output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=PROJECT_ROOT).stdout
        print(f"  {kind} {encoder} took {time.perf_counter() - started:.0f} s", flush=True)
        results.append(json.loads(output.strip().splitlines()[-1]))
    return results


def _pair(figures: dict[str, float]) -> str:
    return f"{100 * figures['accuracy']:5.1f}/{100 * figures['macro_f1']:4.1f}"


def _oos(figures: dict[str, float]) -> str:
    return f"{100 * figures['recall']:5.1f}/{100 * figures['precision']:5.1f}"


def _oos_pair(figures: Sequence[float]) -> str:
    return f"{100 * figures[0]:4.1f}/{100 * figures[1]:4.1f}"


def show(results: list[dict[str, Any]]) -> None:
    print()
    print("Accuracy/macro-F1 %; EN26, RU26: the 26 intents of bench/data/banking77_ru in each language")
    print(
        f"{'backend':9} {'encoder':11} {'EN77':>10} {'EN26':>10} {'RU26':>10} {'EN->RU':>10} {'RU->EN':>10} "
        f"{'starter en/ru':>13} {'train77 s':>9} {'p50 ms':>7} {'p99 ms':>7}"
    )
    for r in results:
        starter = r["starter"]
        print(
            f"{r['backend']:9} {r['encoder']:11} {_pair(r['en77']):>10} {_pair(r['en26']):>10} "
            f"{_pair(r['ru26']):>10} {_pair(r['en_ru']):>10} {_pair(r['ru_en']):>10} "
            f"{100 * starter.get('en', 0):6.1f}/{100 * starter.get('ru', 0):5.1f} "
            f"{r['en77']['train_seconds']:9.1f} {r['latency']['p50_ms']:7.2f} {r['latency']['p99_ms']:7.2f}"
        )
    print()
    unseen = results[0]["unseen_intents"] if results else 0
    print(f"Out of scope ({unseen} of the 26 intents unseen in training): recall/precision % at the default threshold")
    print(f"{'backend':9} {'encoder':11} {'threshold':>9} {'EN':>12} {'RU':>12} {'EN->RU':>12}")
    for r in results:
        print(
            f"{r['backend']:9} {r['encoder']:11} {r['oos_en']['threshold']:9.2f} {_oos(r['oos_en']):>12} "
            f"{_oos(r['oos_ru']):>12} {_oos(r['oos_en_ru']):>12}"
        )
    print()
    print("Out of scope by threshold: recall/precision % EN | RU")
    print(f"{'backend':9} {'encoder':11} " + " ".join(f"{t:>23.2f}" for t in SWEEP))
    for r in results:
        cells = [
            f"{_oos_pair(r['oos_en']['sweep'][f'{t:.2f}'])} | {_oos_pair(r['oos_ru']['sweep'][f'{t:.2f}'])}"
            for t in SWEEP
        ]
        print(f"{r['backend']:9} {r['encoder']:11} " + " ".join(f"{cell:>23}" for cell in cells))
    examples = results[0] if results else None
    if examples is not None:
        print(
            f"(test messages: EN77 {examples['en77']['examples']}, EN26/RU26 {examples['en26']['examples']} each; "
            "starter: 5-fold cross-validation)"
        )


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--encoder", default=",".join(ENCODERS), help=f"comma-separated: {','.join(ENCODERS)}")
    parser.add_argument("--russian-set", type=Path, default=RUSSIAN_SET, help="folder of train.csv and test.csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--one", required=True, help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true")
    arguments(parser)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run_one(args.one, args.encoder, args.quick, args.russian_set))))


if __name__ == "__main__":
    main()
