"""The corrections index answers as comparing every stored correction would, without comparing them all."""

import random
from datetime import UTC, datetime

from application.learning.corrections import CorrectionOverrides
from application.learning.text_matching import normalise, similarity
from domain.feedback import Correction
from domain.ids import ChannelId, GuildId, UserId
from domain.spaces import Space
from support.fakes import InMemoryFeedbackLog

SPACE = Space(GuildId(1))
WORDS = [
    "the",
    "a",
    "my",
    "card",
    "is",
    "can",
    "you",
    "i",
    "what",
    "how",
    "do",
    "top",
    "up",
    "transfer",
    "money",
    "account",
    "why",
    "not",
    "work",
    "please",
]


def correction(text: str, answer: str) -> Correction:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    return Correction(text, "?", answer, UserId(1), GuildId(1), ChannelId(1), None, when)


def brute_force(stored: list[tuple[str, str]], text: str, threshold: float = 0.8) -> str | None:
    """The rule, stated plainly: the exact text, else the most similar at or above the threshold, latest on ties."""
    latest = {normalise(known): answer for known, answer in stored}
    if normalise(text) in latest:
        return latest[normalise(text)]
    best: tuple[float, str] | None = None
    for known, answer in reversed(latest.items()):
        score = similarity(text, known)
        if score >= threshold and (best is None or score > best[0]):
            best = (score, answer)
    return best[1] if best else None


async def test_the_index_finds_what_comparing_with_every_correction_finds() -> None:
    rng = random.Random(14)
    stored = [(" ".join(rng.choices(WORDS, k=rng.randint(1, 9))), f"answer {n}") for n in range(600)]
    log = InMemoryFeedbackLog()
    for text, answer in stored[:500]:
        await log.append_correction(SPACE, correction(text, answer))
    overrides = CorrectionOverrides(log)
    for text, answer in stored[500:]:  # added while serving, as `!correct` does
        await overrides.add(SPACE, correction(text, answer))
    queries = [" ".join(rng.choices(WORDS, k=rng.randint(1, 10))) for _ in range(400)]
    queries += [text.upper() + "?" for text, _ in rng.sample(stored, 50)]
    hits = 0
    for query in queries:
        expected = brute_force(stored, query)
        assert await overrides.lookup(SPACE, query) == expected, query
        hits += expected is not None
    assert hits > 100  # the comparison covered near duplicates, not only misses


async def test_a_near_duplicate_is_found_among_thousands_that_share_its_common_words() -> None:
    log = InMemoryFeedbackLog()
    for number in range(5_000):
        await log.append_correction(SPACE, correction(f"what is the price of item {number}", f"price {number}"))
    await log.append_correction(SPACE, correction("what is the opening time of the cafe", "Nine."))
    overrides = CorrectionOverrides(log, max_candidates=100)
    assert await overrides.lookup(SPACE, "what is the opening time of the cafe today") == "Nine."
    assert await overrides.lookup(SPACE, "what is the price of item 17 now") == "price 17"
