"""Intent-model figures on BANKING77, HWU64 and SNIPS (../shared/data/intents): print them, assert nothing.

For each backend: accuracy and macro-F1 on the official test split, training time, answer latency p50/p99,
peak memory, artifact size; 10 examples per intent on BANKING77 (mean of 3 seeds); out-of-scope recall and
in-scope accuracy with a quarter of BANKING77's intents held out as unseen.

    .venv/bin/python bench/model.py [--quick] [--backend tfidf,embedded,hybrid]
    .venv/bin/python bench/model.py --languages [--quick] [--encoder minilm,e5,use,minilm+use]  # English and Russian
    .venv/bin/python bench/model.py --starter [--backend tfidf,hybrid]   # the shipped starter dataset
    .venv/bin/python bench/model.py --worst-case [--backend hybrid] [--intents N] [--per-intent N] [--words N]

`--worst-case`: the costliest dataset the limits accept instead (`model.max_intents` intents, made-up words so
that every example brings new n-grams, `model.max_examples` examples in all unless told otherwise): peak
memory of training, model size, answer latency (on BANKING77's test messages) and the memory of the process
answering.

Without `--starter` or `--worst-case`, the English and Russian table (bench/languages.py) follows the figures
above; `--languages` prints it alone.

Each backend runs in a process of its own, so that peak memory (ru_maxrss) is its own; training runs in a
worker process of that one, whose peak is reported separately.
"""

import argparse
import asyncio
import csv
import json
import multiprocessing
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.config.settings import ModelSettings
from adapters.model.embedded import EmbeddedBackend
from adapters.model.hybrid import HybridBackend
from adapters.model.linear_model import LinearIntentModel
from adapters.model.local_backend import DEFAULT_MAX_INTENTS, LocalBackend
from adapters.model.tfidf import TfidfBackend
from application.ports.model import TrainedArtifact
from domain.evaluation import evaluate_predictions
from domain.training import OUT_OF_SCOPE, Dataset, Example
from support.made_up_data import made_up_dataset
from support.shared_data import shared_data

BACKENDS: dict[str, Callable[[], LocalBackend]] = {
    "tfidf": TfidfBackend,
    "embedded": EmbeddedBackend,
    "hybrid": HybridBackend,
}
DATASETS = ("banking77", "hwu64", "snips")
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)
LATENCY_MESSAGES = 300
MAX_EXAMPLES = ModelSettings().max_examples

Pairs = list[tuple[str, str]]


def read_split(name: str, split: str) -> Pairs:
    if name == "snips":
        texts = shared_data("intents", "snips", split, "seq.in").read_text(encoding="utf-8").splitlines()
        labels = shared_data("intents", "snips", split, "label").read_text(encoding="utf-8").splitlines()
        return [(t.strip(), label.strip()) for t, label in zip(texts, labels, strict=True)]
    with shared_data("intents", name, f"{split}.csv").open(encoding="utf-8", newline="") as file:
        return [(row["text"], row["category"]) for row in csv.DictReader(file)]


def per_intent(pairs: Pairs, count: int, seed: int) -> Pairs:
    by_label: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for pair in pairs:
        by_label[pair[1]].append(pair)
    rng = random.Random(seed)
    chosen: Pairs = []
    for label in sorted(by_label):
        chosen.extend(rng.sample(by_label[label], min(count, len(by_label[label]))))
    return chosen


def dataset(name: str, pairs: Pairs) -> Dataset:
    return Dataset(name, tuple(Example(text, label) for text, label in pairs))


async def train(backend: LocalBackend, name: str, pairs: Pairs) -> tuple[float, TrainedArtifact, LinearIntentModel]:
    started = time.perf_counter()
    artifact = await backend.train(dataset(name, pairs), lambda fraction, stage: None)
    seconds = time.perf_counter() - started
    return seconds, artifact, await backend.load(artifact)


async def run_backend(kind: str, quick: bool) -> dict[str, object]:
    backend = BACKENDS[kind]()
    results: dict[str, object] = {"backend": kind}
    try:
        for name in DATASETS:
            train_pairs, test_pairs = read_split(name, "train"), read_split(name, "test")
            if quick:
                train_pairs, test_pairs = per_intent(train_pairs, 30, 0), per_intent(test_pairs, 8, 0)
            seconds, artifact, model = await train(backend, name, train_pairs)
            predictions = await model.predict_many([t for t, _ in test_pairs])
            truths = [label for _, label in test_pairs]
            report = evaluate_predictions(
                truths, [p.intent for p in predictions], [p.confidence for p in predictions], "official test split"
            )
            latencies = []
            for text, _ in test_pairs[:LATENCY_MESSAGES]:
                started = time.perf_counter()
                await model.predict(text)
                latencies.append((time.perf_counter() - started) * 1000)
            latencies.sort()
            results[name] = {
                "train_examples": len(train_pairs),
                "test_examples": len(test_pairs),
                "accuracy": report.accuracy,
                "macro_f1": report.macro_f1,
                "train_seconds": seconds,
                "artifact_bytes": len(artifact.data),
                "weights": f"{artifact.metrics['embedding_weight']:.2f}/{artifact.metrics['tfidf_weight']:.2f}",
                "p50_ms": statistics.median(latencies),
                "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
            }
        results["ten_shot"] = await ten_shot(backend, quick)
        results["out_of_scope"] = await out_of_scope(backend, quick, per_label=None)
        results["out_of_scope_10"] = await out_of_scope(backend, quick, per_label=10)
    finally:
        backend.close()
    results["peak_rss_mb_serving"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results["peak_rss_mb_training"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return results


async def ten_shot(backend: LocalBackend, quick: bool) -> dict[str, float]:
    train_pairs, test_pairs = read_split("banking77", "train"), read_split("banking77", "test")
    if quick:
        test_pairs = per_intent(test_pairs, 8, 0)
    accuracies = []
    for seed in range(3):
        _, _, model = await train(backend, "banking77-10", per_intent(train_pairs, 10, seed))
        predictions = await model.predict_many([t for t, _ in test_pairs])
        accuracies.append(sum(p.intent == label for p, (_, label) in zip(predictions, test_pairs, strict=True)))
    return {"accuracy": sum(accuracies) / (3 * len(test_pairs))}


async def out_of_scope(backend: LocalBackend, quick: bool, per_label: int | None) -> dict[str, object]:
    """A quarter of the intents unseen in training; their test messages should be refused."""
    train_pairs, test_pairs = read_split("banking77", "train"), read_split("banking77", "test")
    if quick:
        train_pairs, test_pairs = per_intent(train_pairs, 30, 0), per_intent(test_pairs, 8, 0)
    if per_label is not None:
        train_pairs = per_intent(train_pairs, per_label, 0)
    intents = sorted({label for _, label in train_pairs})
    unseen = set(random.Random(7).sample(intents, len(intents) // 4))
    _, _, model = await train(backend, "banking77-oos", [(t, label) for t, label in train_pairs if label not in unseen])
    truths = [OUT_OF_SCOPE if label in unseen else label for _, label in test_pairs]
    predictions = await model.predict_many([t for t, _ in test_pairs])
    figures: dict[str, object] = {"unseen_intents": len(unseen), "per_label": per_label}
    for threshold in THRESHOLDS:
        refused = [p.confidence < threshold for p in predictions]
        oos = [r for r, t in zip(refused, truths, strict=True) if t == OUT_OF_SCOPE]
        in_scope = [
            not r and p.intent == t for r, p, t in zip(refused, predictions, truths, strict=True) if t != OUT_OF_SCOPE
        ]
        figures[f"{threshold:.1f}"] = {
            "oos_recall": sum(oos) / len(oos),
            "in_scope_accuracy": sum(in_scope) / len(in_scope),
        }
    report = evaluate_predictions(truths, [p.intent for p in predictions], [p.confidence for p in predictions], "oos")
    figures["balanced_threshold"] = report.balanced_threshold
    figures["default_threshold"] = model.threshold
    return figures


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process, from /proc (Linux)."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.split()[0] if value.split() else "0"
    return int(fields.get("VmRSS", "0")) / 1024, int(fields.get("VmHWM", "0")) / 1024


async def worst_case(kind: str, intents: int, per_intent: int, words: int) -> dict[str, object]:
    pairs = made_up_dataset(intents, per_intent, words)
    backend = BACKENDS[kind]()
    try:
        seconds, artifact, model = await train(backend, "worst", pairs)
        _, peak_before_answering = rss_mb()
        # Ordinary messages, as in the main figures: what a message costs beyond the model is the same whatever
        # the dataset (made-up words take the sentence encoder longer, with any model).
        latencies = []
        for text, _ in read_split("banking77", "test")[:LATENCY_MESSAGES]:
            started = time.perf_counter()
            await model.predict(text)
            latencies.append((time.perf_counter() - started) * 1000)
        latencies.sort()
    finally:
        backend.close()
    deadline = time.monotonic() + 30
    while multiprocessing.active_children() and time.monotonic() < deadline:  # reaped: counted in RUSAGE_CHILDREN
        await asyncio.sleep(0.1)
    serving, serving_peak = rss_mb()
    return {
        "backend": kind,
        "intents": intents,
        "examples": len(pairs),
        "csv_bytes": sum(len(text.encode()) + len(label) + 2 for text, label in pairs),
        "train_seconds": seconds,
        "peak_rss_mb_training": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "artifact_bytes": len(artifact.data),
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "rss_mb_serving": serving,
        "peak_rss_mb_serving": serving_peak,
        "peak_rss_mb_before_answering": peak_before_answering,
    }


def show_worst_case(results: list[dict[str, Any]]) -> None:
    print()
    for r in results:
        print(
            f"{r['backend']}: worst case {r['intents']:,} intents, {r['examples']:,} examples "
            f"({r['csv_bytes'] / 1e6:.1f} MB of text): training {r['train_seconds']:.0f} s, "
            f"peak {r['peak_rss_mb_training']:.0f} MB; model {r['artifact_bytes'] / 1e6:.1f} MB; "
            f"answer p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms; "
            f"serving process {r['rss_mb_serving']:.0f} MB (peak {r['peak_rss_mb_serving']:.0f} MB)"
        )


def show(results: list[dict[str, object]]) -> None:
    print()
    print(
        f"{'backend':9} {'dataset':10} {'train':>6} {'test':>5} {'acc %':>6} {'F1 %':>6} {'train s':>8} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'artifact':>9} {'weights e/t':>12}"
    )
    for result in results:
        for name in DATASETS:
            r = result[name]
            assert isinstance(r, dict)
            print(
                f"{result['backend']!s:9} {name:10} {r['train_examples']:>6} {r['test_examples']:>5} "
                f"{100 * r['accuracy']:6.1f} {100 * r['macro_f1']:6.1f} {r['train_seconds']:8.1f} "
                f"{r['p50_ms']:7.2f} {r['p99_ms']:7.2f} {r['artifact_bytes'] / 1e6:7.2f}MB {r['weights']:>12}"
            )
    print()
    for result in results:
        ten = result["ten_shot"]
        assert isinstance(ten, dict)
        print(
            f"{result['backend']}: 10 examples per intent (BANKING77, 3 seeds): {100 * ten['accuracy']:.1f}%; "
            f"peak RSS: training worker {result['peak_rss_mb_training']:.0f} MB, "
            f"serving process {result['peak_rss_mb_serving']:.0f} MB"
        )
        for key in ("out_of_scope", "out_of_scope_10"):
            oos = result[key]
            assert isinstance(oos, dict)
            trained = "all training examples" if oos["per_label"] is None else f"{oos['per_label']} examples per intent"
            print(
                f"  out of scope ({oos['unseen_intents']} of 77 BANKING77 intents unseen, {trained}; "
                f"default threshold {oos['default_threshold']}, balanced {oos['balanced_threshold']}):"
            )
            for threshold in THRESHOLDS:
                figures = oos[f"{threshold:.1f}"]
                print(
                    f"    threshold {threshold:.1f}: in-scope accuracy {100 * figures['in_scope_accuracy']:.1f}%, "
                    f"out-of-scope recall {100 * figures['oos_recall']:.1f}%"
                )


async def starter_figures(kinds: list[str]) -> None:
    """The shipped starter dataset: time to build its model once, and 5-fold cross-validated accuracy per language."""
    from adapters.datasets.starter import read_starter
    from application.learning.starter import cross_validated_accuracy

    starter = read_starter()
    print(f"Starter dataset: {len(starter.examples)} examples, {len(starter.answers)} intents (target >= 90% each)")
    for kind in kinds:
        backend = BACKENDS[kind]()
        try:
            seconds, _, _ = await train(backend, "starter", [(e.text, e.intent) for e in starter.examples])
            accuracy = await cross_validated_accuracy(backend, starter, folds=5)
        finally:
            backend.close()
        figures = "  ".join(f"{language} {100 * value:.1f}%" for language, value in accuracy.items())
        print(f"  {kind:<9} built in {seconds:.1f} s (start-up, first run)  cross-validated: {figures}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="30 training and 8 test examples per intent")
    parser.add_argument("--backend", default="tfidf,embedded,hybrid", help="comma-separated: tfidf,embedded,hybrid")
    parser.add_argument("--worst-case", action="store_true", help="the costliest dataset the limits accept")
    parser.add_argument("--intents", type=int, default=DEFAULT_MAX_INTENTS, help="worst case: intents")
    parser.add_argument("--per-intent", type=int, default=None, help="worst case: examples per intent")
    parser.add_argument("--words", type=int, default=40, help="worst case: made-up words per example")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--starter", action="store_true", help="the starter dataset's figures only")
    parser.add_argument("--languages", action="store_true", help="the English and Russian table only")
    from bench import languages

    languages.arguments(parser)
    args = parser.parse_args()
    if args.languages:
        kinds = args.backend.split(",")
        languages.show(languages.run_all(kinds, args.encoder.split(","), args.quick, args.russian_set))
        return
    if args.starter:
        asyncio.run(starter_figures(args.backend.split(",")))
        return
    per_intent = args.per_intent or max(2, MAX_EXAMPLES // args.intents)
    if args.one:
        if args.worst_case:
            print(json.dumps(asyncio.run(worst_case(args.one, args.intents, per_intent, args.words))))
        else:
            print(json.dumps(asyncio.run(run_backend(args.one, args.quick))))
        return
    results = []
    for kind in args.backend.split(","):
        if kind not in BACKENDS:
            parser.error(f"unknown backend {kind!r}; choose among {', '.join(BACKENDS)}")
        command = [sys.executable, __file__, "--one", kind] + (["--quick"] if args.quick else [])
        if args.worst_case:
            command += ["--worst-case", "--intents", str(args.intents), "--per-intent", str(per_intent)]
            command += ["--words", str(args.words)]
        print(f"running {kind}...", flush=True)
        started = time.perf_counter()
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        print(f"  {kind} took {time.perf_counter() - started:.0f} s", flush=True)
        results.append(json.loads(output.strip().splitlines()[-1]))
    if args.worst_case:
        show_worst_case(results)
        return
    show(results)
    kinds = args.backend.split(",")
    languages.show(languages.run_all(kinds, args.encoder.split(","), args.quick, args.russian_set))


if __name__ == "__main__":
    main()
