"""Storage: what users' records cost in the stores, operation by operation. Prints; asserts nothing.

Run from the project root: `python -m bench.storage` (or `make bench BENCHES=storage`); `--backend` picks the
stores from `BACKENDS`: `sqlite` (the SQL stores on a SQLite file, WAL, each commit synced; the default) and
`postgresql` (the SQL stores on `support/postgres_server.py`'s loopback server, which this starts and stops; its
test settings turned back to PostgreSQL's durable defaults, fsync and synchronous commits on, so that an append is
timed until it is durable there too). Every backend runs the same operations:

- correction lookup: `CorrectionOverrides.lookup` (application/learning/corrections.py, what every plain message
  pays) with 10,000 corrections in the space, its index built; a mix of unseen messages, near duplicates and
  exact repeats, as bench/corrections.py asks. `index load` is the first lookup after a restart or a `!forget
  me`: the 10,000 corrections read from the store and indexed.
- feedback append: `FeedbackLog.append_feedback`, acknowledged once durable.
- inbox: the review page's inbox with 5,000 entries in the store (`web.inbox_size = 5000`). `entries read`: what
  the page asks of storage, as the first page after a restart does: a new `ActivityLog` reads every entry from
  the store, the default filter (pending) keeps some, least sure first. `page, grouped`: the whole `ReviewInbox`
  with the entries in memory, grouped by shared words (no encoder). `by minilm` (`--meaning`): the same page
  grouped by the sentence encoder; its `first` run loads the encoder and embeds every entry, later ones find
  the vectors remembered, as a running bot does.
- forget me: `ForgetMeHandler` (the `!forget me` use case) for a member with 1,000 records (feedback, corrections,
  thumbs-downs, inbox entries, voice transcripts) in a space holding everyone else's records above. Their records
  are written again before each run, outside the timing.

The corrections are BANKING77's and HWU64's training texts, the messages looked up their test texts
(`../shared/data/intents`). Figures depend on the machine's load: the load average is printed before and after.

The file stores the database replaced (JSON Lines and JSON under the data root, removed since) were last measured
by this benchmark's `files` backend at commit 5768ec1, with `--meaning ''`, on 2 cores at load average 0.3 to 0.6,
p50 (p99) in ms: lookup 0.042 (0.355), index load 152 (201), feedback append 0.517 (0.949), inbox entries read 78
(128), inbox page grouped 187 (231), `!forget me` 201 (253). They are the figures to compare with.
"""

import argparse
import asyncio
import csv
import os
import random
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.database.engine import open_database
from adapters.database.feedback_log import SqlFeedbackLog
from adapters.database.forget_requests import SqlForgetRequests
from adapters.database.member_records import SqlMemberRecords
from adapters.database.review_store import SqlReviewStore
from adapters.database.settings_store import SqlSettingsStore
from adapters.database.voice_log import SqlVoiceLog
from adapters.model.encoder import DEFAULT_ENCODER, ENCODERS
from adapters.model.meaning import EncoderSimilarity
from application.learning.conversation import ConversationMemory
from application.learning.corrections import CorrectionOverrides
from application.learning.text_matching import normalise
from application.learning.uncertain import UncertainMessages
from application.ports.review import PENDING, ReviewItem, ReviewStore
from application.ports.storage import FeedbackLog, ForgetRequests, MemberRecords, SettingsStore, VoiceTranscriptLog
from application.privacy.forget_me import ForgetMeHandler
from application.review.activity import ANSWERED, CORRECTED, THUMBS_DOWN, UNSURE, ActivityLog
from application.review.inbox import InboxFilter, ReviewInbox
from domain.commands import ForgetMe
from domain.feedback import Correction, Feedback, ThumbsDown
from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.messages import Author, Message, OutgoingFile, ReplyAction, Status
from domain.spaces import Space
from domain.text import Text
from domain.voice_turns import VoiceTurn
from support.fakes import FixedClock
from support.postgres_server import PostgresServer
from support.shared_data import shared_data

SPACE = Space(GuildId(1))
CHANNEL = ChannelId(10)
MEMBER = UserId(7)  # the member who asks `!forget me`
OTHERS = [UserId(1000 + n) for n in range(300)]
CORRECTIONS = 10_000
INBOX = 5_000
VOICE_KEPT = 1_000  # the voice log's bound per space (its default)
# The member's 1,000 records, by kind.
THEIRS = {"feedback": 300, "corrections": 300, "thumbs_down": 100, "inbox": 200, "voice": 100}
START = datetime(2026, 1, 1, tzinfo=UTC)


# --- the backends -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stores:
    """The record stores one backend gives, behind the application's ports."""

    feedback: FeedbackLog
    review: ReviewStore
    voice: VoiceTranscriptLog
    settings: SettingsStore
    forgotten: ForgetRequests
    records: MemberRecords  # `forget me` across the others


OpenStores = Callable[[Path], AbstractAsyncContextManager[Stores]]


@asynccontextmanager
async def sql_stores(url: str) -> AsyncIterator[Stores]:
    database = open_database(url)
    try:
        await database.start()
        yield Stores(
            feedback=SqlFeedbackLog(database),
            review=SqlReviewStore(database, per_space=INBOX),
            voice=SqlVoiceLog(database, per_space=VOICE_KEPT),
            settings=SqlSettingsStore(database),
            forgotten=SqlForgetRequests(database),
            records=SqlMemberRecords(database),
        )
    finally:
        await database.close()


def sqlite_stores(folder: Path) -> AbstractAsyncContextManager[Stores]:
    return sql_stores(f"sqlite+aiosqlite:///{folder / 'data' / 'parrot.db'}")


@asynccontextmanager
async def postgresql_stores(folder: Path) -> AsyncIterator[Stores]:
    with PostgresServer() as server:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            server.sql(f"ALTER SYSTEM SET {setting} = on")
        server.sql("SELECT pg_reload_conf()")
        async with sql_stores(server.url) as stores:
            yield stores


BACKENDS: dict[str, OpenStores] = {
    "sqlite": sqlite_stores,
    "postgresql": postgresql_stores,
}


# --- the records --------------------------------------------------------------------------------------------


def texts(*parts: str) -> list[str]:
    with shared_data(*parts).open(newline="", encoding="utf-8") as file:
        return [row["text"] for row in csv.DictReader(file)]


def at(number: int) -> datetime:
    return START + timedelta(seconds=number)


def correction(text: str, number: int, author: UserId) -> Correction:
    return Correction(
        user_text=text,
        bot_reply="?",
        correction=f"answer {number}",
        author_id=author,
        guild_id=SPACE.guild_id,
        channel_id=CHANNEL,
        reply_message_id=MessageId(500_000 + number),
        created_at=at(number),
    )


def feedback(number: int, author: UserId) -> Feedback:
    return Feedback(
        f"feedback {number}: the answers got better", author, "someone", SPACE.guild_id, CHANNEL, at(number)
    )


def thumbs_down(text: str, number: int, rater: UserId, asker: UserId) -> ThumbsDown:
    return ThumbsDown(
        text, "?", "card_arrival", 0.4, rater, asker, SPACE.guild_id, CHANNEL, MessageId(900_000 + number), at(number)
    )


def inbox_entry(text: str, number: int, author: UserId) -> ReviewItem:
    reason = (UNSURE, UNSURE, UNSURE, CORRECTED, THUMBS_DOWN)[number % 5]
    return ReviewItem(
        text=text,
        intent=("card_arrival", "balance", "alarm_set", "")[number % 4],
        confidence=(number % 97) / 100,
        channel_id=CHANNEL,
        at=at(number),
        reason=reason,
        reply=Text(("I am not sure: ", f"answer {number % 50}")),
        state=ANSWERED if reason == CORRECTED else PENDING,
        author_id=author,
    )


def voice_turn(number: int, speaker: UserId) -> VoiceTurn:
    return VoiceTurn(speaker, at(number), ChannelId(20), f"what is my balance number {number}", "Your balance is ...")


@dataclass
class Corpus:
    stored: list[str]  # the corrections' texts
    inbox: list[str]  # the inbox entries' texts, distinct from one another
    queries: list[str]


def corpus(rng: random.Random, queries: int) -> Corpus:
    pool = texts("intents", "banking77", "train.csv") + texts("intents", "hwu64", "train.csv")
    unseen = texts("intents", "banking77", "test.csv") + texts("intents", "hwu64", "test.csv")
    # One text per normalised form: the inbox keeps one entry per message, whatever its case and spacing.
    pool = list({normalise(text): text for text in pool}.values())
    rng.shuffle(pool)
    stored = pool[:CORRECTIONS]
    inbox = pool[CORRECTIONS : CORRECTIONS + INBOX]
    asked = (
        rng.sample(unseen, queries * 3 // 5)
        + [near_duplicate(text, rng) for text in rng.sample(stored, queries // 5)]
        + rng.sample(stored, queries - queries * 3 // 5 - queries // 5)
    )
    rng.shuffle(asked)
    return Corpus(stored, inbox, asked)


def near_duplicate(text: str, rng: random.Random) -> str:
    words = text.split()
    if len(words) > 4:
        words[rng.randrange(len(words))] = "please"
    return " ".join(words)


async def fill_others(stores: Stores, words: Corpus, rng: random.Random) -> None:
    """Everyone else's records: they stay through every run, as a busy server's would."""
    for number, text in enumerate(words.stored[: CORRECTIONS - THEIRS["corrections"]]):
        await stores.feedback.append_correction(SPACE, correction(text, number, rng.choice(OTHERS)))
    for number in range(2_000):
        await stores.feedback.append_feedback(SPACE, feedback(number, rng.choice(OTHERS)))
    for number in range(500):
        asker = rng.choice(OTHERS)
        await stores.feedback.append_thumbs_down(SPACE, thumbs_down(words.stored[number], number, asker, asker))
    for number, text in enumerate(words.inbox[: INBOX - THEIRS["inbox"]]):
        await stores.review.append(SPACE, inbox_entry(text, number, rng.choice(OTHERS)))
    for number in range(VOICE_KEPT - THEIRS["voice"]):
        await stores.voice.append_turn(SPACE, voice_turn(number, rng.choice(OTHERS)))


async def fill_member(stores: Stores, words: Corpus) -> None:
    """The member's 1,000 records, the newest in each log."""
    base = 100_000
    for number in range(THEIRS["feedback"]):
        await stores.feedback.append_feedback(SPACE, feedback(base + number, MEMBER))
    theirs = words.stored[CORRECTIONS - THEIRS["corrections"] :]
    for number, text in enumerate(theirs):
        await stores.feedback.append_correction(SPACE, correction(text, base + number, MEMBER))
    for number in range(THEIRS["thumbs_down"]):
        # Half they gave, half were given to their messages.
        rater, asker = (MEMBER, OTHERS[0]) if number % 2 else (OTHERS[0], MEMBER)
        await stores.feedback.append_thumbs_down(SPACE, thumbs_down(theirs[number], base + number, rater, asker))
    for number, text in enumerate(words.inbox[INBOX - THEIRS["inbox"] :]):
        await stores.review.append(SPACE, inbox_entry(text, base + number, MEMBER))
    for number in range(THEIRS["voice"]):
        await stores.voice.append_turn(SPACE, voice_turn(base + number, MEMBER))


class SilentChat:
    """The chat `!forget me` answers in: only its last answer is kept, to show what was deleted."""

    max_message_length = 2_000

    def __init__(self) -> None:
        self.last = ""

    def render(self, text: Text | str) -> str:
        return str(text)

    async def send_text(
        self,
        channel_id: ChannelId,
        text: Text | str,
        *,
        reply_to: MessageId | None = None,
        actions: Sequence[ReplyAction] = (),
    ) -> MessageId:
        self.last = str(text)
        return MessageId(1)

    async def send_file(
        self,
        channel_id: ChannelId,
        file: OutgoingFile,
        *,
        text: Text | str = "",
        reply_to: MessageId | None = None,
    ) -> MessageId:
        return MessageId(1)

    async def edit_text(self, channel_id: ChannelId, message_id: MessageId, text: Text | str) -> None:
        return None

    def is_gone(self, channel_id: ChannelId, message_id: MessageId) -> bool:
        return False

    async def set_status(self, channel_id: ChannelId, message_id: MessageId, status: Status) -> None:
        return None


# --- the measures -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    operation: str
    timings: list[float]  # seconds


async def timed(operation: str, runs: int, step: Callable[[int], Awaitable[object]]) -> Figure:
    timings: list[float] = []
    for run in range(runs):
        started = time.perf_counter()
        await step(run)
        timings.append(time.perf_counter() - started)
    return Figure(operation, timings)


async def lookups(stores: Stores, words: Corpus, reloads: int) -> list[Figure]:
    overrides = CorrectionOverrides(stores.feedback)

    async def reload(run: int) -> None:
        overrides.forget(SPACE)
        await overrides.lookup(SPACE, "what the index is built by")

    loaded = await timed(f"correction index load ({CORRECTIONS:,})", reloads, reload)
    looked_up = await timed(
        f"correction lookup ({CORRECTIONS:,})",
        len(words.queries),
        lambda run: overrides.lookup(SPACE, words.queries[run]),
    )
    return [looked_up, loaded]


async def appends(stores: Stores, runs: int) -> Figure:
    return await timed(
        "feedback append", runs, lambda run: stores.feedback.append_feedback(SPACE, feedback(200_000 + run, OTHERS[1]))
    )


async def inbox_pages(stores: Stores, runs: int, grouped_runs: int, encoder: str) -> list[Figure]:
    shown = InboxFilter()

    async def entries(run: int) -> list[ReviewItem]:
        # What the page asks of storage: every entry, then those the filter admits, least sure first.
        everything = await ActivityLog(FixedClock(), stores.review, stores.forgotten, per_space=INBOX).items(SPACE)
        return sorted((item for item in everything if shown.admits(item)), key=lambda item: item.confidence)

    count = len(await ActivityLog(FixedClock(), stores.review, stores.forgotten, per_space=INBOX).items(SPACE))
    read = await timed(f"inbox entries read ({count:,})", runs, entries)
    activity = ActivityLog(FixedClock(), stores.review, stores.forgotten, per_space=INBOX)
    await activity.items(SPACE)
    inbox = ReviewInbox(activity)
    grouped = await timed(f"inbox page, grouped ({count:,})", grouped_runs, lambda run: inbox(SPACE, shown))
    if not encoder:
        return [read, grouped]
    by_meaning = ReviewInbox(activity, EncoderSimilarity(encoder))
    # The first view embeds every message (and loads the encoder); later ones find the vectors remembered.
    first = await timed(f"inbox by {encoder}, first ({count:,})", 1, lambda run: by_meaning(SPACE, shown))
    meant = await timed(f"inbox by {encoder} ({count:,})", grouped_runs, lambda run: by_meaning(SPACE, shown))
    return [read, grouped, first, meant]


async def forgetting(stores: Stores, words: Corpus, runs: int) -> Figure:
    ask = ForgetMe(Message(MessageId(1), CHANNEL, Author(MEMBER, "member"), "!forget me", guild_id=SPACE.guild_id))
    timings: list[float] = []
    for run in range(runs):
        if run:
            await fill_member(stores, words)  # the first run finds those written at the start
        clock = FixedClock()
        activity = ActivityLog(clock, stores.review, stores.forgotten, per_space=INBOX)
        await activity.items(SPACE)  # the inbox as a running bot holds it
        chat = SilentChat()
        forget = ForgetMeHandler(
            chat=chat,
            records=stores.records,
            overrides=CorrectionOverrides(stores.feedback),
            uncertain=UncertainMessages(),
            conversation=ConversationMemory(),
            activity=activity,
            clock=clock,
        )
        started = time.perf_counter()
        await forget(ask)
        timings.append(time.perf_counter() - started)
        left = len([item for item in await activity.items(SPACE) if item.author_id == MEMBER])
    print(f"!forget me answered: {chat.last.split(': ', 1)[-1].split(' I keep')[0]} ({left} inbox entries left)")
    return Figure(f"!forget me ({sum(THEIRS.values()):,} records)", timings)


def row(figure: Figure) -> str:
    ms = sorted(t * 1000 for t in figure.timings)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return f"{figure.operation:<32} {len(ms):>5} {statistics.median(ms):>9.3f} {p99:>9.3f} {ms[-1]:>9.3f}"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=sorted(BACKENDS), default="sqlite")
    parser.add_argument("--queries", type=int, default=1_000, help="correction lookups")
    parser.add_argument("--appends", type=int, default=500, help="feedback appends")
    parser.add_argument("--pages", type=int, default=50, help="reads of the inbox's entries from the store")
    parser.add_argument("--grouped-pages", type=int, default=20, help="whole inbox pages, grouped")
    parser.add_argument(
        "--meaning", choices=[*ENCODERS, ""], default=DEFAULT_ENCODER, help="grouping by meaning; '' skips it"
    )
    parser.add_argument("--reloads", type=int, default=20, help="correction index loads")
    parser.add_argument("--forgets", type=int, default=10, help="`!forget me` runs")
    arguments = parser.parse_args()
    rng = random.Random(7)
    words = corpus(rng, arguments.queries)
    with tempfile.TemporaryDirectory(prefix="parrot-bench-storage-") as folder:
        opened = BACKENDS[arguments.backend](Path(folder))
        print(
            f"bench/storage.py --backend {arguments.backend} on {os.cpu_count()} cores, load average {load_average()}"
        )
        async with opened as stores:
            started = time.perf_counter()
            await fill_others(stores, words, rng)
            await fill_member(stores, words)
            print(f"records written in {time.perf_counter() - started:.1f} s (not timed below)")
            figures = await lookups(stores, words, arguments.reloads)
            figures.append(await appends(stores, arguments.appends))
            figures += await inbox_pages(stores, arguments.pages, arguments.grouped_pages, arguments.meaning)
            figures.append(await forgetting(stores, words, arguments.forgets))
    print(f"{'operation':<32} {'runs':>5} {'p50 ms':>9} {'p99 ms':>9} {'max ms':>9}")
    for figure in figures:
        if figure.timings:  # none where its runs were set to 0
            print(row(figure))
    print(f"load average at the end: {load_average()} (a shared machine: figures are noisy)")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
