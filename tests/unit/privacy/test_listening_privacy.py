"""Consent and privacy while listening: opt-outs are saved, and voice chat's transcripts are kept only when on."""

import asyncio
from dataclasses import replace

import pytest

from application.ports.storage import SpaceSettings
from application.voice.voice_log import VoiceTranscripts
from domain import commands as c
from domain.events import ReplyProduced
from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.messages import Author, Message, Reply, ReplyAction
from domain.spaces import Space
from domain.speech import AudioClip
from domain.voice_turns import VoiceTurn
from support import fakes
from support.app import AppHarness, build_app
from support.scripted_discord import member

VOICE = 55
GUILD = Space(guild_id=GuildId(1))
ALICE = member(user_id=7, name="alice", admin=False)
BOB = member(user_id=8, name="bob", admin=False)


@pytest.fixture
def app(tmp_path_factory: pytest.TempPathFactory) -> AppHarness:
    return build_app(tmp_path_factory.mktemp("data"))


def settings_of(app: AppHarness) -> fakes.InMemorySettings:
    store = app.stores["space_settings"]
    assert isinstance(store, fakes.InMemorySettings)
    return store


def voice_log(app: AppHarness) -> fakes.InMemoryVoiceLog:
    store = app.stores["voice_log"]
    assert isinstance(store, fakes.InMemoryVoiceLog)
    return store


async def speak(app: AppHarness, said: str, author: Author = ALICE, people: int = 1) -> Message:
    message = app.discord.message("", author=author, voice_channel_id=VOICE)
    turn = c.HearUtterance(
        message, audio=AudioClip(said.encode(), 16_000), voice_channel_id=ChannelId(VOICE), people_present=people
    )
    await app.container.bus().handle(turn)
    await app.settle()
    return message


async def answer(app: AppHarness, text: str, author: Author | None = None) -> str:
    sent = await app.discord.say(text, author=author, voice_channel_id=VOICE)
    return app.discord.replies_to(sent)[-1].text


async def trained(app: AppHarness) -> None:
    await app.discord.say("!train hello => Hello there.\nhi => Hello there.\nbye => Bye.\nciao => Bye.")
    await app.settle()


# --- opt-outs --------------------------------------------------------------------------------------


async def test_an_opt_out_is_saved_and_given_to_the_listener_when_listening_starts(app: AppHarness) -> None:
    await answer(app, "!listen optout", author=ALICE)
    await answer(app, "!listen optout", author=BOB)
    assert (await settings_of(app).load(GUILD)).listening_opted_out == {7, 8}
    await answer(app, "!listen optin", author=BOB)
    assert (await settings_of(app).load(GUILD)).listening_opted_out == {7}
    app.listening.opted_out = set()  # the listener restarted: it knows nothing of anyone's choice
    await answer(app, "!listen on")
    assert app.listening.opted_out == {(1, 7)}


async def test_listening_starts_from_the_saved_opt_outs_only(app: AppHarness) -> None:
    await settings_of(app).save(GUILD, SpaceSettings(listening_opted_out=frozenset({UserId(9)})))
    app.listening.opted_out = {(1, 8), (2, 8)}  # stale here; another guild's are not this one's business
    await answer(app, "!listen on")
    assert app.listening.opted_out == {(1, 9), (2, 8)}


async def test_opting_out_keeps_the_other_settings(app: AppHarness) -> None:
    await answer(app, "!settings voice off")
    await answer(app, "!listen optout", author=ALICE)
    saved = await settings_of(app).load(GUILD)
    assert not saved.spoken_replies and saved.listening_opted_out == {7}


# --- voice chat's transcripts ------------------------------------------------------------------------


async def test_no_transcript_is_kept_unless_an_admin_turns_it_on(app: AppHarness) -> None:
    await trained(app)
    await speak(app, "hello")
    assert app.discord.sent[-1].text == "Hello there."  # heard and answered
    assert voice_log(app).turns == {}
    assert not (await settings_of(app).load(GUILD)).keep_voice_transcripts


async def test_an_unsure_spoken_question_is_written_nowhere_unless_an_admin_turns_the_voicelog_on(
    app: AppHarness,
) -> None:
    await trained(app)
    await speak(app, "what is the weather")
    assert app.discord.sent[-1].text.startswith("I'm not sure how to answer that.")  # heard, answered, unsure
    # Not invited to `correct`, which would refuse these words: only an admin's `train` can teach it.
    assert "correct" not in app.discord.sent[-1].text and "!train" in app.discord.sent[-1].text
    answer_id = app.discord.sent[-1].message_id
    assert ReplyAction.TEACH not in app.discord.sent[-1].actions  # no "Teach me": teaching would write the words down
    review = app.stores["review_store"]
    assert isinstance(review, fakes.InMemoryReviewStore)
    assert review.records == {} and voice_log(app).turns == {}
    # Neither a correction nor a thumbs-down may write the speaker's words to the feedback log.
    refused = await answer(app, "!correct Sunny.", author=BOB)
    assert refused.startswith("That was said in voice chat, and this server keeps nothing of what is said there")
    rating = c.RateReply(app.discord.message("", author=BOB), reply_id=answer_id)
    await app.container.bus().handle(rating)
    await app.settle()
    feedback = app.stores["feedback_log"]
    assert isinstance(feedback, fakes.InMemoryFeedbackLog)
    assert feedback.corrections == {} and feedback.thumbs_down == {} and review.records == {}
    assert "what is the weather" not in await answer(app, "!feedback list")  # nor among the unsure messages
    # With the voicelog on, the unsure question waits in the review inbox like a typed one, with its speaker.
    await answer(app, "!settings voicelog on")
    await speak(app, "what is the weather")
    assert app.discord.sent[-1].actions == (ReplyAction.TEACH,)
    assert "!correct <the answer>" in app.discord.sent[-1].text
    ((item,),) = review.records.values()
    assert (item.text, item.author_id) == ("what is the weather", 7)


async def test_with_voicelog_on_each_answered_turn_is_kept_as_text(app: AppHarness) -> None:
    await trained(app)
    saved = await answer(app, "!settings voicelog on")
    assert saved.startswith("Saved. what I hear and answer in voice channels is kept as text")
    heard = await speak(app, "Parrot, hello")
    await speak(app, "hello", people=2)  # not addressed to Parrot: never kept
    await speak(app, "Parrot.")  # only the name: nothing answered, nothing kept
    (kept,) = voice_log(app).turns[GUILD]
    assert heard.created_at is not None
    assert kept == VoiceTurn(UserId(7), heard.created_at, ChannelId(VOICE), "Parrot, hello", "Hello there.")
    await answer(app, "!settings voicelog off")
    await speak(app, "hello")
    assert len(voice_log(app).turns[GUILD]) == 1


async def test_only_admins_switch_the_voicelog_and_it_is_shown(app: AppHarness) -> None:
    refused = await answer(app, "!settings voicelog on", author=ALICE)
    assert "needs the Manage Server" in refused
    assert not (await settings_of(app).load(GUILD)).keep_voice_transcripts
    shown = await answer(app, "!settings")
    assert "- voicelog **off**: nothing said in voice channels is kept" in shown
    assert "`!settings voicelog on`" in shown
    wrong = await answer(app, "!settings voicelog maybe")
    assert wrong == "`!settings voicelog` takes `on` or `off`, not `maybe`."


async def test_forget_me_deletes_the_members_kept_voice_transcripts(app: AppHarness) -> None:
    await trained(app)
    await answer(app, "!settings voicelog on")
    await speak(app, "hello", author=ALICE)
    await speak(app, "bye", author=BOB)
    await speak(app, "hi", author=ALICE)
    done = await answer(app, "!forget me", author=ALICE)
    assert "And 2 voice chat transcripts." in done and "I keep no audio." in done
    assert [turn.speaker_id for turn in voice_log(app).turns[GUILD]] == [8]
    again = await answer(app, "!forget me", author=ALICE)
    assert "voice chat transcript" not in again  # none left: not mentioned
    # Forgetting is not opting in: a member who opted out stays unheard.
    await answer(app, "!listen optout", author=BOB)
    await answer(app, "!forget me", author=BOB)
    assert (await settings_of(app).load(GUILD)).listening_opted_out == {8}


class HeldSettings(fakes.InMemorySettings):
    """Settings whose loads wait until released: a reply to a spoken turn held half-way through being kept."""

    def __init__(self) -> None:
        super().__init__()
        self.released = asyncio.Event()

    async def load(self, space: Space) -> SpaceSettings:
        await self.released.wait()
        return await super().load(space)


async def test_a_turn_heard_before_forget_me_is_not_kept_when_its_answer_comes_after() -> None:
    settings, log, clock = HeldSettings(), fakes.InMemoryVoiceLog(), fakes.FixedClock()
    await settings.save(GUILD, SpaceSettings(keep_voice_transcripts=True))
    noted = fakes.InMemoryForgetRequests()
    transcripts = VoiceTranscripts(settings, log, clock, noted)
    records = fakes.StoreByStoreMemberRecords(fakes.InMemoryFeedbackLog(), fakes.InMemoryReviewStore(), log, noted)

    def answered(said: str) -> ReplyProduced:
        heard = Message(
            MessageId(1), ChannelId(10), ALICE, said, GuildId(1), created_at=clock.now(),
            author_voice_channel_id=ChannelId(VOICE), spoken=True,
        )  # fmt: skip
        return ReplyProduced(heard, Reply(ChannelId(10), "Hello there.", MessageId(2), None, True), said)

    early = answered("hello")  # heard, then recognised and answered while...
    on_the_way = asyncio.create_task(transcripts.on_reply(answered("hi")))  # ...this one is half-way kept
    await asyncio.sleep(0)
    forgotten = await records.forget_member([GUILD], ALICE.id, clock.now())
    assert forgotten.voice_turns == 0  # `forget me` answers: nothing kept yet
    later = answered("bye")  # heard after it
    settings.released.set()
    await on_the_way
    await transcripts.on_reply(early)
    await transcripts.on_reply(later)
    assert [turn.transcript for turn in log.turns[GUILD]] == ["bye"]


async def test_forget_me_while_a_spoken_turn_is_recognised_keeps_nothing_of_it(app: AppHarness) -> None:
    await trained(app)
    await answer(app, "!settings voicelog on")
    app.stt.delay = 0.2  # recognising takes a while, as Whisper does
    heard = replace(app.discord.message("", author=ALICE, voice_channel_id=VOICE), created_at=None)
    turn = c.HearUtterance(heard, audio=AudioClip(b"hello", 16_000), voice_channel_id=ChannelId(VOICE))
    hearing = asyncio.create_task(app.container.bus().handle(turn))
    await asyncio.sleep(0.05)
    done = await answer(app, "!forget me", author=ALICE)
    assert "voice chat transcript" not in done  # nothing kept yet to count
    await hearing
    await app.settle()
    assert app.discord.sent[-1].text == "Hello there."  # heard and answered all the same
    assert voice_log(app).turns.get(GUILD, []) == []


async def test_listening_says_whether_what_is_said_is_kept(app: AppHarness) -> None:
    off = await answer(app, "!listen on")
    assert "Nothing you say is stored." in off
    await answer(app, "!settings voicelog on")
    on = await answer(app, "!listen on")
    assert "kept here as text (`!settings voicelog`), never as audio; `!forget me` deletes yours." in on


async def test_privacy_tells_about_the_voicelog_and_opt_outs(app: AppHarness) -> None:
    text = await answer(app, "!privacy", author=ALICE)
    assert "`!settings voicelog on`" in text and "its audio never saved" in text
    assert "your id is kept in the server's settings" in text
    assert "which member speaks on which audio stream (ids only, no audio) until I leave it" in text
