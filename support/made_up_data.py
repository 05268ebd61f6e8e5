"""Made-up training data of any size: for the benchmarks' worst cases, and for tests that need a slow fit."""

import random


def made_up_dataset(
    intents: int, per_intent: int, words: int, seed: int = 0, vocabulary: int | None = None
) -> list[tuple[str, str]]:
    """Every intent its own made-up words: as many distinct word and character n-grams as text can bring.

    With `vocabulary`, words are drawn from that many made-up words that all intents share instead: fewer
    n-grams, but intents that are hard to tell apart, so fitting takes long.
    """
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"

    def word() -> str:
        return "".join(rng.choices(letters, k=rng.randint(3, 10)))

    shared = [word() for _ in range(vocabulary)] if vocabulary else None
    pairs = []
    for intent in range(intents):
        for _ in range(per_intent):
            text = " ".join(rng.choice(shared) if shared else word() for _ in range(words))
            pairs.append((text, f"intent_{intent:04}"))
    return pairs
