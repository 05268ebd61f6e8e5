"""A process that trains a model in Parrot's own worker pool and prints its stages; the crash tests kill it."""

import asyncio
import random

from adapters.model.tfidf import TfidfBackend
from domain.training import Dataset, Example


def busy_dataset(intents: int = 200, per_intent: int = 100) -> Dataset:
    """Made-up words: enough work to keep the worker process fitting for several seconds."""
    rng = random.Random(0)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(7)) for _ in range(5_000)]
    return Dataset(
        "busy",
        tuple(
            Example(" ".join(rng.choice(words) for _ in range(12)), f"intent_{i}")
            for i in range(intents)
            for _ in range(per_intent)
        ),
    )


async def train() -> None:
    backend = TfidfBackend()
    try:
        await backend.train(busy_dataset(), lambda fraction, stage: print(f"stage {stage}", flush=True))
        print("trained", flush=True)
    finally:
        backend.close()


if __name__ == "__main__":
    asyncio.run(train())
