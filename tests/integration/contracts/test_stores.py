"""One suite per storage port, run against the in-memory fake and every adapter alike: the files users reach by
path on the filesystem, users' records in each database.

A new adapter (an object store) joins a suite by adding one entry to its fixture's params; a new database, by one
entry in DATABASE_URLS (its URL for one test: a file in the test's folder, a database on a server): every record
store's suite then runs on it too.
"""

import io
import zipfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.database.blobs import blobs_for
from adapters.database.dataset_store import SqlDatasetStore
from adapters.database.engine import Database, open_database
from adapters.database.feedback_log import SqlFeedbackLog
from adapters.database.forget_requests import SqlForgetRequests
from adapters.database.member_records import SqlMemberRecords
from adapters.database.model_store import SqlModelStore
from adapters.database.review_store import SqlReviewStore
from adapters.database.settings_store import SqlSettingsStore
from adapters.database.voice_log import SqlVoiceLog
from adapters.storage.file_vault import FilesystemVault
from adapters.storage.layout import SpaceLayout
from application.learning.text_matching import normalise
from application.ports.model import ModelStore, TrainedArtifact
from application.ports.review import PENDING, ReviewItem, ReviewStore
from application.ports.storage import (
    DatasetStore,
    FeedbackLog,
    FileVault,
    ForgetRequests,
    Forgotten,
    IndexedCorrection,
    MemberRecords,
    SettingsStore,
    SpaceSettings,
    VoiceTranscriptLog,
)
from domain.errors import NotFound, PathOutsideRoot, TooLarge
from domain.feedback import Correction, Feedback, ThumbsDown
from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.spaces import Space
from domain.text import Aside, ChannelRef, Code, CommandRef, MessageRef, Quote, Replying, Strong, Text
from domain.training import EvaluationReport, ModelVersion
from domain.voice_turns import VoiceTurn
from support import fakes

ONE = Space(guild_id=GuildId(1))
TWO = Space(guild_id=GuildId(2))
NOW = datetime(2026, 1, 1, tzinfo=UTC)
# The file vault: the fake and the filesystem adapter.
KINDS = ["memory", "filesystem"]
# A fresh database per test, migrated before its first use.
DATABASE_URLS: dict[str, Callable[[pytest.FixtureRequest, Path], str]] = {
    "sqlite": lambda _request, folder: f"sqlite+aiosqlite:///{folder / 'parrot.db'}",
    # A new database on the session's PostgreSQL server (tests/integration/conftest.py), dropped after the test.
    "postgresql": lambda request, _folder: request.getfixturevalue("postgres_database").url,
}
# The stores of users' records, which the database holds too.
RECORD_KINDS = ["memory", *DATABASE_URLS]


@pytest.fixture
async def databases(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Callable[[str], Database]]:
    """Opens the database of a kind in DATABASE_URLS (one per test), closed when the test ends."""
    opened: dict[str, Database] = {}

    def database(kind: str) -> Database:
        if kind not in opened:
            opened[kind] = open_database(DATABASE_URLS[kind](request, tmp_path))
        return opened[kind]

    yield database
    for database_ in opened.values():
        await database_.close()


# --- the file vault ------------------------------------------------------------------------------


@dataclass
class Vault:
    store: FileVault
    put: Callable[[Space, str, bytes], None]  # a file under the space's `files/`


@pytest.fixture(params=KINDS)
def vault(request: pytest.FixtureRequest, tmp_path: Path) -> Vault:
    if request.param == "memory":
        memory = fakes.InMemoryFiles()
        return Vault(memory, memory.put)
    layout = SpaceLayout(tmp_path)

    def put(space: Space, path: str, data: bytes) -> None:
        target = layout.files(space) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    return Vault(FilesystemVault(layout), put)


async def test_vault_reads_a_file_of_its_space_only(vault: Vault) -> None:
    vault.put(ONE, "notes/a.txt", b"hello")
    stored = await vault.store.read_file(ONE, "notes/a.txt", 100)
    assert (stored.name, stored.data) == ("a.txt", b"hello")
    with pytest.raises(NotFound):
        await vault.store.read_file(TWO, "notes/a.txt", 100)


async def test_vault_refuses_missing_escaping_and_oversized_files(vault: Vault) -> None:
    vault.put(ONE, "big.bin", b"x" * 101)
    with pytest.raises(NotFound):
        await vault.store.read_file(ONE, "nothing.txt", 100)
    with pytest.raises(PathOutsideRoot):
        await vault.store.read_file(ONE, "../../etc/passwd", 100)
    with pytest.raises(TooLarge):
        await vault.store.read_file(ONE, "big.bin", 100)


async def test_vault_archives_a_directory_as_a_zip(vault: Vault) -> None:
    vault.put(ONE, "logs/a.txt", b"A")
    vault.put(ONE, "logs/b.txt", b"B")
    archive = await vault.store.archive_directory(ONE, "files/logs", 10_000, 100)
    assert archive.name.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(archive.data)) as opened:
        assert {Path(name).name: opened.read(name) for name in opened.namelist()} == {"a.txt": b"A", "b.txt": b"B"}
    with pytest.raises(NotFound):
        await vault.store.archive_directory(ONE, "files/nothing", 10_000, 100)
    with pytest.raises(PathOutsideRoot):
        await vault.store.archive_directory(ONE, "../..", 10_000, 100)


# --- the dataset store ---------------------------------------------------------------------------


@pytest.fixture(params=RECORD_KINDS)
def datasets(request: pytest.FixtureRequest, tmp_path: Path, databases: Callable[[str], Database]) -> DatasetStore:
    if request.param == "memory":
        return fakes.InMemoryDatasets()
    return SqlDatasetStore(databases(request.param), blobs_for(databases(request.param), SpaceLayout(tmp_path)))


async def test_datasets_round_trip_listed_by_name_per_space(datasets: DatasetStore) -> None:
    assert await datasets.list_datasets(ONE) == []
    assert await datasets.save_dataset(ONE, "shop.csv", b"q,a\n") == "shop.csv"
    assert await datasets.save_dataset(ONE, "faq.txt", b"a => b") == "faq.txt"
    assert [(info.name, info.size) for info in await datasets.list_datasets(ONE)] == [("faq.txt", 6), ("shop.csv", 4)]
    assert (await datasets.read_dataset(ONE, "faq.txt", 100)).data == b"a => b"
    assert await datasets.list_datasets(TWO) == []


async def test_datasets_save_never_replaces_and_read_refuses_missing_or_oversized(datasets: DatasetStore) -> None:
    # A taken name gets a numbered version: an upload never silently replaces a (maybe selected) dataset.
    assert await datasets.save_dataset(ONE, "faq.txt", b"old") == "faq.txt"
    assert await datasets.save_dataset(ONE, "faq.txt", b"newer") == "faq-2.txt"
    assert await datasets.save_dataset(ONE, "faq.txt", b"old") == "faq.txt"  # the same data is kept once
    assert (await datasets.read_dataset(ONE, "faq.txt", 100)).data == b"old"
    assert (await datasets.read_dataset(ONE, "faq-2.txt", 100)).data == b"newer"
    with pytest.raises(NotFound):
        await datasets.read_dataset(ONE, "nothing.txt", 100)
    with pytest.raises(TooLarge):
        await datasets.read_dataset(ONE, "faq-2.txt", 3)


# --- the settings store --------------------------------------------------------------------------


@pytest.fixture(params=RECORD_KINDS)
def settings(request: pytest.FixtureRequest, databases: Callable[[str], Database]) -> SettingsStore:
    if request.param == "memory":
        return fakes.InMemorySettings()
    return SqlSettingsStore(databases(request.param))


async def test_settings_default_then_round_trip_per_space(settings: SettingsStore) -> None:
    assert await settings.load(ONE) == SpaceSettings()
    chosen = SpaceSettings(active_dataset="faq.txt", active_model=3, language="ru-RU")
    await settings.save(ONE, chosen)
    assert await settings.load(ONE) == chosen
    assert await settings.load(TWO) == SpaceSettings()


# --- the feedback log ----------------------------------------------------------------------------


@pytest.fixture(params=RECORD_KINDS)
def feedback_log(request: pytest.FixtureRequest, databases: Callable[[str], Database]) -> FeedbackLog:
    if request.param == "memory":
        return fakes.InMemoryFeedbackLog()
    return SqlFeedbackLog(databases(request.param))


def feedback(text: str) -> Feedback:
    return Feedback(text, UserId(5), "alice", GuildId(1), ChannelId(10), NOW)


def correction(user_text: str, text: str) -> Correction:
    return Correction(user_text, "wrong", text, UserId(5), GuildId(1), ChannelId(10), MessageId(7), NOW)


async def test_feedback_keeps_order_and_lists_the_latest(feedback_log: FeedbackLog) -> None:
    for number in range(5):
        await feedback_log.append_feedback(ONE, feedback(f"note {number}"))
    assert [item.text for item in await feedback_log.list_feedback(ONE, 3)] == ["note 2", "note 3", "note 4"]
    assert (await feedback_log.list_feedback(ONE, 1))[0] == feedback("note 4")
    assert await feedback_log.list_feedback(TWO, 10) == []


async def test_a_correction_keeps_the_unanswered_intent_it_answers(feedback_log: FeedbackLog) -> None:
    answering = replace(correction("my card hasn't come", "It takes five days."), answers_intent="card_arrival")
    await feedback_log.append_correction(ONE, answering)
    await feedback_log.append_correction(ONE, correction("hi", "hello"))
    assert [c.answers_intent for c in await feedback_log.list_corrections(ONE)] == ["card_arrival", None]


async def test_corrections_are_kept_in_order_per_space(feedback_log: FeedbackLog) -> None:
    await feedback_log.append_correction(ONE, correction("hi", "hello"))
    await feedback_log.append_correction(ONE, correction("bye", "goodbye"))
    assert list(await feedback_log.list_corrections(ONE)) == [correction("hi", "hello"), correction("bye", "goodbye")]
    assert list(await feedback_log.list_corrections(TWO)) == []


async def test_the_indexed_corrections_are_the_listed_ones_keyed_by_their_normalised_text(
    feedback_log: FeedbackLog,
) -> None:
    await feedback_log.append_correction(ONE, correction("  Héllo,  THERE!", "hi"))
    await feedback_log.append_correction(ONE, replace(correction("ﬁne?", "good"), author_id=UserId(6)))
    await feedback_log.append_correction(ONE, correction("bye", "goodbye"))
    await feedback_log.append_correction(TWO, correction("elsewhere", "there"))
    await feedback_log.retract_correction(ONE, "Bye!", NOW)
    listed = await feedback_log.list_corrections(ONE)
    indexed = await feedback_log.list_indexed_corrections(ONE)
    assert indexed == [
        IndexedCorrection(normalise(c.user_text), c.correction, c.author_id, c.created_at) for c in listed
    ]
    assert [item.key for item in indexed] == ["héllo there", "fine"]
    await feedback_log.forget_author(ONE, UserId(6))
    assert [item.answer for item in await feedback_log.list_indexed_corrections(ONE)] == ["hi"]
    assert [item.key for item in await feedback_log.list_indexed_corrections(TWO)] == ["elsewhere"]


async def test_forgetting_an_author_removes_their_records_only(feedback_log: FeedbackLog) -> None:
    theirs, others = UserId(5), UserId(6)
    for author in (theirs, others, theirs):
        await feedback_log.append_feedback(ONE, replace(feedback(f"by {author}"), author_id=author))
        await feedback_log.append_correction(ONE, replace(correction("hi", f"by {author}"), author_id=author))
    await feedback_log.append_feedback(TWO, feedback("elsewhere"))
    assert await feedback_log.forget_author(ONE, theirs) == Forgotten(feedback=2, corrections=2)
    assert [item.text for item in await feedback_log.list_feedback(ONE, 10)] == ["by 6"]
    assert [item.correction for item in await feedback_log.list_corrections(ONE)] == ["by 6"]
    assert [item.text for item in await feedback_log.list_feedback(TWO, 10)] == ["elsewhere"]
    assert await feedback_log.forget_author(ONE, theirs) == Forgotten()
    await feedback_log.append_feedback(ONE, feedback("after"))  # appending goes on as before
    assert [item.text for item in await feedback_log.list_feedback(ONE, 10)] == ["by 6", "after"]


async def test_forgetting_an_author_removes_the_thumbs_downs_they_gave_or_were_about(feedback_log: FeedbackLog) -> None:
    def rating(rater: int, asker: int | None) -> ThumbsDown:
        return ThumbsDown("hi", "Hello!", "greet", 0.9, UserId(rater), None if asker is None else UserId(asker),
                          GuildId(1), ChannelId(10), MessageId(7), NOW)  # fmt: skip

    for rater, asker in ((5, 6), (6, 5), (6, 7), (7, None)):
        await feedback_log.append_thumbs_down(ONE, rating(rater, asker))
    await feedback_log.append_thumbs_down(TWO, rating(5, 5))
    assert [r.author_id for r in await feedback_log.list_thumbs_down(ONE, 3)] == [6, 6, 7]
    assert list(await feedback_log.list_thumbs_down(TWO, 10)) == [rating(5, 5)]
    assert await feedback_log.forget_author(ONE, UserId(5)) == Forgotten(thumbs_down=2)
    assert [(r.author_id, r.asker_id) for r in await feedback_log.list_thumbs_down(ONE, 10)] == [(6, 7), (7, None)]
    assert await feedback_log.forget_author(ONE, UserId(7)) == Forgotten(thumbs_down=2)
    assert await feedback_log.forget_author(ONE, UserId(6)) == Forgotten()
    assert await feedback_log.forget_author(TWO, UserId(5)) == Forgotten(thumbs_down=1)


# --- the voice log (spoken turns kept as text) ---------------------------------------------------------


@pytest.fixture(params=RECORD_KINDS)
def voice_log(request: pytest.FixtureRequest, databases: Callable[[str], Database]) -> VoiceTranscriptLog:
    if request.param == "memory":
        return fakes.InMemoryVoiceLog()
    return SqlVoiceLog(databases(request.param))


def turn(speaker: int, transcript: str) -> VoiceTurn:
    return VoiceTurn(UserId(speaker), NOW, ChannelId(55), transcript, f"answer to {transcript}")


async def test_voice_turns_keep_order_per_space_and_list_the_latest(voice_log: VoiceTranscriptLog) -> None:
    assert list(await voice_log.list_turns(ONE, 10)) == []
    for number in range(4):
        await voice_log.append_turn(ONE, turn(5, f"said {number}"))
    await voice_log.append_turn(TWO, turn(5, "elsewhere"))
    assert list(await voice_log.list_turns(ONE, 2)) == [turn(5, "said 2"), turn(5, "said 3")]
    assert list(await voice_log.list_turns(TWO, 10)) == [turn(5, "elsewhere")]


async def test_forgetting_a_speaker_removes_their_turns_only(voice_log: VoiceTranscriptLog) -> None:
    for speaker in (5, 6, 5):
        await voice_log.append_turn(ONE, turn(speaker, f"by {speaker}"))
    await voice_log.append_turn(TWO, turn(5, "elsewhere"))
    assert await voice_log.forget_speaker(ONE, UserId(5)) == 2
    assert [t.transcript for t in await voice_log.list_turns(ONE, 10)] == ["by 6"]
    assert [t.transcript for t in await voice_log.list_turns(TWO, 10)] == ["elsewhere"]
    assert await voice_log.forget_speaker(ONE, UserId(5)) == 0
    await voice_log.append_turn(ONE, turn(5, "after"))  # keeping goes on as before
    assert [t.transcript for t in await voice_log.list_turns(ONE, 10)] == ["by 6", "after"]


@pytest.fixture(params=RECORD_KINDS)
def small_voice_log(request: pytest.FixtureRequest, databases: Callable[[str], Database]) -> VoiceTranscriptLog:
    """A voice log bounded to 3 turns per space."""
    if request.param == "memory":
        return fakes.InMemoryVoiceLog(per_space=3)
    return SqlVoiceLog(databases(request.param), per_space=3)


async def test_the_voice_log_keeps_the_newest_turns_within_twice_its_bound(small_voice_log: VoiceTranscriptLog) -> None:
    for number in range(6):
        await small_voice_log.append_turn(ONE, turn(5, f"said {number}"))
    await small_voice_log.append_turn(TWO, turn(5, "elsewhere"))
    assert len(await small_voice_log.list_turns(ONE, 100)) == 6  # up to twice the bound between compactions
    await small_voice_log.append_turn(ONE, turn(5, "said 6"))
    assert [t.transcript for t in await small_voice_log.list_turns(ONE, 100)] == ["said 4", "said 5", "said 6"]
    assert [t.transcript for t in await small_voice_log.list_turns(TWO, 100)] == ["elsewhere"]  # each space its own
    for number in range(7, 20):
        await small_voice_log.append_turn(ONE, turn(5, f"said {number}"))
        kept = [t.transcript for t in await small_voice_log.list_turns(ONE, 100)]
        assert 3 <= len(kept) <= 6 and kept[-3:] == [f"said {n}" for n in range(number - 2, number + 1)]


@pytest.mark.parametrize("kind", list(DATABASE_URLS))
async def test_the_voice_log_stays_bounded_across_restarts_and_a_forget(
    kind: str, databases: Callable[[str], Database]
) -> None:
    database = databases(kind)
    for number in range(5):
        await SqlVoiceLog(database, per_space=3).append_turn(ONE, turn(5, f"said {number}"))
    log = SqlVoiceLog(database, per_space=3)  # started again: bounds what the table holds
    await log.append_turn(ONE, turn(6, "said 5"))
    await log.append_turn(ONE, turn(6, "said 6"))
    assert [t.transcript for t in await log.list_turns(ONE, 100)] == ["said 4", "said 5", "said 6"]
    assert await log.forget_speaker(ONE, UserId(6)) == 2
    for number in range(7, 14):
        await log.append_turn(ONE, turn(5, f"said {number}"))
    assert len(await log.list_turns(ONE, 100)) <= 6


# --- the review inbox's store ------------------------------------------------------------------------


@pytest.fixture(params=RECORD_KINDS)
def review_store(request: pytest.FixtureRequest, databases: Callable[[str], Database]) -> ReviewStore:
    if request.param == "memory":
        return fakes.InMemoryReviewStore()
    return SqlReviewStore(databases(request.param))


def item(text: str, state: str = PENDING, author: int | None = 5) -> ReviewItem:
    return ReviewItem(text, "greet", 0.25, ChannelId(10), NOW, "unsure", "Hello?", state, "",
                      None if author is None else UserId(author), UserId(6))  # fmt: skip


async def test_review_records_load_back_in_order_per_space_and_rewrite_replaces_them(review_store: ReviewStore) -> None:
    assert list(await review_store.load(ONE)) == []
    await review_store.append(ONE, item("hi"))
    await review_store.append(ONE, item("hi", state="ignored", author=None))
    await review_store.append(TWO, item("elsewhere"))
    assert list(await review_store.load(ONE)) == [item("hi"), item("hi", state="ignored", author=None)]
    await review_store.rewrite(ONE, [item("bye")])
    assert list(await review_store.load(ONE)) == [item("bye")]
    await review_store.rewrite(ONE, [])
    assert list(await review_store.load(ONE)) == []
    await review_store.append(ONE, item("after"))  # appending goes on as before
    assert list(await review_store.load(ONE)) == [item("after")]
    assert list(await review_store.load(TWO)) == [item("elsewhere")]


async def test_a_review_record_keeps_the_parts_of_parrots_reply(review_store: ReviewStore) -> None:
    said = Text(("Try ", CommandRef("correct <x>"), " in ", ChannelRef(ChannelId(3)), ", ", Code("a`b", 9), " ",
                 Quote("*hi*", 40), Strong("now"), Aside("(admins)"), " ", Replying(CommandRef("correct A", 50)),
                 MessageRef(MessageId(7))))  # fmt: skip
    kept = replace(item("hi"), reply=said)
    await review_store.append(ONE, kept)
    assert list(await review_store.load(ONE)) == [kept]


async def test_a_review_record_keeps_that_the_reply_only_named_its_intent(review_store: ReviewStore) -> None:
    named = replace(item("my card"), intent="card_arrival", unanswered=True)
    await review_store.append(ONE, named)
    await review_store.append(ONE, item("hi"))
    assert [(entry.intent, entry.unanswered) for entry in await review_store.load(ONE)] == [
        ("card_arrival", True),
        ("greet", False),
    ]


async def test_settings_keep_the_conveniences(settings: SettingsStore) -> None:
    chosen = SpaceSettings(transcribe_voice=False, spoken_replies=False, languages=("ru", "en"), keep_starter=True)
    await settings.save(ONE, chosen)
    assert await settings.load(ONE) == chosen


async def test_settings_keep_listening_opt_outs_and_the_voice_log_switch(settings: SettingsStore) -> None:
    assert not (await settings.load(ONE)).keep_voice_transcripts  # off unless an admin turns it on
    chosen = SpaceSettings(listening_opted_out=frozenset({UserId(5), UserId(9)}), keep_voice_transcripts=True)
    await settings.save(ONE, chosen)
    assert await settings.load(ONE) == chosen
    await settings.update(ONE, lambda saved: replace(saved, listening_opted_out=saved.listening_opted_out - {5}))
    assert (await settings.load(ONE)).listening_opted_out == {9}
    assert await settings.load(TWO) == SpaceSettings()


async def test_a_retraction_withdraws_earlier_corrections_of_the_message_only(feedback_log: FeedbackLog) -> None:
    await feedback_log.append_correction(ONE, correction("Hi!", "hello"))
    await feedback_log.append_correction(ONE, correction("bye", "goodbye"))
    await feedback_log.append_correction(TWO, correction("hi", "hello there"))
    await feedback_log.retract_correction(ONE, "hi", NOW)
    assert list(await feedback_log.list_corrections(ONE)) == [correction("bye", "goodbye")]
    assert list(await feedback_log.list_corrections(TWO)) == [correction("hi", "hello there")]
    # A later correction of the same message counts again.
    await feedback_log.append_correction(ONE, correction("hi", "hey"))
    assert [c.correction for c in await feedback_log.list_corrections(ONE)] == ["goodbye", "hey"]


# --- the model store -----------------------------------------------------------------------------


@pytest.fixture(params=RECORD_KINDS)
def model_store(request: pytest.FixtureRequest, tmp_path: Path, databases: Callable[[str], Database]) -> ModelStore:
    if request.param == "memory":
        return fakes.InMemoryModelStore()
    return SqlModelStore(databases(request.param), blobs_for(databases(request.param), SpaceLayout(tmp_path)))


def version(dataset: str) -> ModelVersion:
    return ModelVersion(99, "fake", dataset, "hash", NOW, 4, ("a", "b"), {"accuracy": 0.5})


async def test_models_are_numbered_in_order_and_load_back(model_store: ModelStore) -> None:
    first = await model_store.publish(ONE, TrainedArtifact("fake", b"one", {}), version("faq.txt"))
    second = await model_store.publish(ONE, TrainedArtifact("fake", b"two", {}), version("shop.csv"))
    assert (first.number, second.number) == (1, 2)  # the given number is ignored
    listed = await model_store.list_versions(ONE)
    assert [(v.number, v.dataset_name, v.intents) for v in listed] == [
        (1, "faq.txt", ("a", "b")),
        (2, "shop.csv", ("a", "b")),
    ]
    loaded = await model_store.load_artifact(ONE, 2)
    assert (loaded.backend, loaded.data) == ("fake", b"two")
    assert await model_store.list_versions(TWO) == []
    with pytest.raises(NotFound):
        await model_store.load_artifact(ONE, 3)


async def test_reports_load_back_per_version_and_for_the_latest_cross_validation(model_store: ModelStore) -> None:
    await model_store.publish(ONE, TrainedArtifact("fake", b"one", {}), version("faq.txt"))
    assert await model_store.load_report(ONE, 1) is None
    assert await model_store.load_report(ONE, None) is None
    report = EvaluationReport(
        0.75, 0.7, 8, "test data", 0.5, 1.0, 0.4, (("a", 0.5),), (("a", "b", 2),), ("a", "b"), ((3, 1), (1, 3))
    )
    await model_store.save_report(ONE, 1, report, b"png-1")
    await model_store.save_report(ONE, None, EvaluationReport(0.5, 0.5, 4, "2-fold cross-validation"), b"png-cv")
    assert await model_store.load_report(ONE, 1) == (report, b"png-1")
    cross = await model_store.load_report(ONE, None)
    assert cross is not None and cross[0].accuracy == 0.5 and cross[1] == b"png-cv"
    assert await model_store.load_report(TWO, 1) is None


# --- each member's last `forget me` ----------------------------------------------------------------


@pytest.fixture(params=RECORD_KINDS)
def forget_requests(request: pytest.FixtureRequest, databases: Callable[[str], Database]) -> ForgetRequests:
    if request.param == "memory":
        return fakes.InMemoryForgetRequests()
    return SqlForgetRequests(databases(request.param))


async def test_the_last_forget_me_of_each_member_per_space_is_kept(forget_requests: ForgetRequests) -> None:
    assert await forget_requests.last(ONE, UserId(5)) is None
    await forget_requests.note(ONE, UserId(5), NOW)
    later = NOW.replace(hour=3)
    await forget_requests.note(ONE, UserId(5), later)
    await forget_requests.note(TWO, UserId(6), NOW)
    assert await forget_requests.last(ONE, UserId(5)) == later
    assert await forget_requests.last(ONE, UserId(6)) is None
    assert await forget_requests.last(TWO, UserId(6)) == NOW


# --- `forget me` across the stores ------------------------------------------------------------------


@dataclass
class Member:
    """One member's records in every store, and the store that forgets them all at once."""

    records: MemberRecords
    feedback: FeedbackLog
    review: ReviewStore
    voice: VoiceTranscriptLog
    forgotten: ForgetRequests


# Files have no transaction across stores: only a database (and the fake standing in for it) forgets at once.
@pytest.fixture(params=["memory", *DATABASE_URLS])
def member(request: pytest.FixtureRequest, databases: Callable[[str], Database]) -> Member:
    if request.param == "memory":
        feedback, review = fakes.InMemoryFeedbackLog(), fakes.InMemoryReviewStore()
        voice, forgotten = fakes.InMemoryVoiceLog(), fakes.InMemoryForgetRequests()
        return Member(
            fakes.StoreByStoreMemberRecords(feedback, review, voice, forgotten), feedback, review, voice, forgotten
        )
    database = databases(request.param)
    return Member(
        SqlMemberRecords(database),
        SqlFeedbackLog(database),
        SqlReviewStore(database),
        SqlVoiceLog(database),
        SqlForgetRequests(database),
    )


async def test_forgetting_a_member_removes_their_records_in_every_store_of_the_spaces_named(member: Member) -> None:
    elsewhere = Space(guild_id=None, dm_user_id=UserId(5))
    for space in (ONE, TWO, elsewhere):
        for author in (5, 6):
            await member.feedback.append_feedback(space, replace(feedback(f"by {author}"), author_id=UserId(author)))
            await member.feedback.append_correction(
                space, replace(correction("hi", f"by {author}"), author_id=UserId(author))
            )
            await member.voice.append_turn(space, turn(author, f"by {author}"))
        await member.review.append(space, item("theirs", author=5))
        await member.review.append(space, replace(item("rated by them", author=7), rater_id=UserId(5)))
        await member.review.append(space, replace(item("not theirs", author=6), rater_id=None))
        # Someone else's message they rated down last: its older record must not come back in its place.
        await member.review.append(space, replace(item("reopened by them", author=8), rater_id=None))
        await member.review.append(space, replace(item("reopened by them", author=8), rater_id=UserId(5)))
    rating = ThumbsDown(
        "hi", "Hello!", "greet", 0.9, UserId(6), UserId(5), GuildId(1), ChannelId(10), MessageId(7), NOW
    )
    await member.feedback.append_thumbs_down(ONE, rating)

    forgotten = await member.records.forget_member([ONE, elsewhere], UserId(5), NOW)

    assert forgotten == Forgotten(feedback=2, corrections=2, thumbs_down=1, voice_turns=2)
    for space in (ONE, elsewhere):
        assert [f.text for f in await member.feedback.list_feedback(space, 10)] == ["by 6"]
        assert [c.correction for c in await member.feedback.list_corrections(space)] == ["by 6"]
        assert [t.transcript for t in await member.voice.list_turns(space, 10)] == ["by 6"]
        assert [i.text for i in await member.review.load(space)] == ["not theirs"]
        assert await member.forgotten.last(space, UserId(5)) == NOW
    assert list(await member.feedback.list_thumbs_down(ONE, 10)) == []
    # A space not named keeps everything, and nobody else was forgotten.
    assert len(await member.feedback.list_feedback(TWO, 10)) == 2
    assert len(await member.review.load(TWO)) == 5
    assert await member.forgotten.last(TWO, UserId(5)) is None
    assert await member.forgotten.last(ONE, UserId(6)) is None
    again = await member.records.forget_member([ONE], UserId(5), NOW.replace(hour=2))
    assert again == Forgotten()
    assert await member.forgotten.last(ONE, UserId(5)) == NOW.replace(hour=2)
