"""Listening in the core: `listen` commands, a heard turn answered like a typed message, the wake name, barge-in."""

import asyncio
from dataclasses import replace

import pytest

from application.chat.command_parser import parse_message
from application.jobs.executor import JobExecutor
from application.voice.sessions import VoiceSessions
from application.voice.wake_name import addressed
from domain import commands as c
from domain.ids import ChannelId, GuildId
from domain.messages import Message
from domain.speech import AudioClip, EncodedAudio
from domain.text import Text
from support import fakes
from support.app import AppHarness, build_app
from support.scripted_discord import member

VOICE = 55


@pytest.fixture
def app(tmp_path_factory: pytest.TempPathFactory) -> AppHarness:
    return build_app(tmp_path_factory.mktemp("data"))


def spoken_turn(app: AppHarness, said: str, people: int = 1, name: str = "alice") -> c.HearUtterance:
    message = app.discord.message("", author=member(user_id=7, name=name, admin=False), voice_channel_id=VOICE)
    return c.HearUtterance(
        message, audio=AudioClip(said.encode(), 16_000), voice_channel_id=ChannelId(VOICE), people_present=people
    )


async def trained(app: AppHarness) -> None:
    await app.discord.say("!train hello => Hello there.\nhi => Hello there.\nbye => Bye.\nciao => Bye.")
    await app.settle()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("!listen on", c.SetListening),
        ("!listen OFF", c.SetListening),
        ("!listen optout", c.SetListeningConsent),
        ("!listen opt-in", c.SetListeningConsent),
        ("!listen", c.ShowHelp),
        ("!listen loudly", c.ShowHelp),
    ],
)
def test_listen_is_parsed(typed: str, expected: type[c.Command]) -> None:
    message = Message(id=1, channel_id=2, author=member(), content=typed, guild_id=3)  # type: ignore[arg-type]
    command = parse_message(message, "!")
    assert type(command) is expected
    if isinstance(command, c.SetListening):
        assert command.on is (typed.lower().endswith("on"))
    if isinstance(command, c.SetListeningConsent):
        assert command.opted_out is typed.endswith("optout")


@pytest.mark.parametrize(
    ("said", "after"),
    [
        ("Parrot, what time is it?", "what time is it?"),
        ("parrot what time is it", "what time is it"),
        ("Hey Parrot. What time is it?", "What time is it?"),
        ("Parrot.", ""),
        ("What time is it, Parrot?", None),
        ("Parroting is fun", None),
        ("", None),
    ],
)
def test_the_wake_name_is_recognised_at_the_start(said: str, after: str | None) -> None:
    assert addressed(said, "Parrot") == after


def test_an_empty_wake_name_addresses_everything() -> None:
    assert addressed("what time is it", " ") == "what time is it"


async def test_an_admin_turns_listening_on_in_their_voice_channel_and_off(app: AppHarness) -> None:
    on = await app.discord.say("!listen on", voice_channel_id=VOICE)
    (reply,) = app.discord.replies_to(on)
    assert reply.text.startswith(f"🎙️ I'm listening in <#{VOICE}> now.")
    assert "`!listen optout`" in reply.text and "this notice stands" in reply.text
    assert app.listening.channels == {1: (VOICE, 10)}
    off = await app.discord.say("!listen off")
    assert app.discord.replies_to(off)[0].text.startswith("I stopped listening")
    again = await app.discord.say("!listen off")
    assert app.discord.replies_to(again)[0].text == "I wasn't listening here."


async def test_a_nickname_marker_replaces_the_notice_where_the_driver_shows_one(app: AppHarness) -> None:
    app.listening.marks_nickname = True
    on = await app.discord.say("!listen on", voice_channel_id=VOICE)
    assert "notice" not in app.discord.replies_to(on)[0].text


async def test_listening_needs_a_voice_channel_a_server_and_an_admin(app: AppHarness) -> None:
    nowhere = await app.discord.say("!listen on")
    assert app.discord.replies_to(nowhere)[0].text.startswith("Join a voice channel first")
    direct = await app.discord.say("!listen on", guild_id=None, voice_channel_id=VOICE)
    assert "servers" in app.discord.replies_to(direct)[0].text
    guest = await app.discord.say("!listen on", author=member(user_id=9, admin=False), voice_channel_id=VOICE)
    assert "needs the Manage Server" in app.discord.replies_to(guest)[0].text
    assert app.listening.channels == {}


async def test_anyone_opts_out_and_back_in(app: AppHarness) -> None:
    guest = member(user_id=9, admin=False)
    out = await app.discord.say("!listen optout", author=guest)
    assert "won't hear you" in app.discord.replies_to(out)[0].text
    assert app.listening.opted_out == {(1, 9)}
    await app.discord.say("!listen optin", author=guest)
    assert app.listening.opted_out == set()


async def test_leaving_the_voice_channel_stops_listening(app: AppHarness) -> None:
    await app.discord.say("!listen on", voice_channel_id=VOICE)
    await app.discord.say("!leave")
    assert app.listening.channels == {}


async def test_a_turn_is_transcribed_posted_answered_and_spoken(app: AppHarness) -> None:
    await trained(app)
    await app.container.bus().handle(spoken_turn(app, "hello"))
    await app.settle()
    transcript, answer = app.discord.sent[-2:]
    assert transcript.text == "🎙️ Alice: hello" and transcript.channel_id == 10
    assert answer.text == "Hello there." and answer.reply_to == transcript.message_id
    assert app.stt.languages[-1] is None  # the server's languages (English and Russian by default): detected
    assert [played.channel_id for played in app.discord.played] == [VOICE]
    assert app.tts.spoken[-1][0] == "Hello there."


async def test_with_others_present_only_a_turn_that_calls_parrot_is_answered(app: AppHarness) -> None:
    await trained(app)
    before = len(app.discord.sent)
    await app.container.bus().handle(spoken_turn(app, "hello", people=2))
    await app.settle()
    assert len(app.discord.sent) == before and app.discord.played == []  # heard, but not for Parrot: nothing posted
    await app.container.bus().handle(spoken_turn(app, "Parrot, hello", people=2))
    await app.settle()
    assert [s.text for s in app.discord.sent[before:]] == ["🎙️ Alice: Parrot, hello", "Hello there."]


async def test_silence_and_a_bare_wake_name_get_no_answer(app: AppHarness) -> None:
    await trained(app)
    before = len(app.discord.sent)
    await app.container.bus().handle(spoken_turn(app, "   "))
    await app.container.bus().handle(spoken_turn(app, "Parrot."))
    await app.settle()
    assert [s.text for s in app.discord.sent[before:]] == ["🎙️ Alice: Parrot."]


async def test_a_tentative_turn_is_answered_once_the_listener_says_it_ended(app: AppHarness) -> None:
    await trained(app)
    before = len(app.discord.sent)
    turn = replace(spoken_turn(app, "hello"), tentative=True)
    app.listening.turns[turn.message.id] = True
    await app.container.bus().handle(turn)
    await app.settle()
    assert app.listening.asked == [turn.message.id]
    assert [s.text for s in app.discord.sent[before:]] == ["🎙️ Alice: hello", "Hello there."]


async def test_a_tentative_turn_the_member_went_on_with_is_dropped_unanswered(app: AppHarness) -> None:
    await trained(app)
    before = len(app.discord.sent)
    turn = replace(spoken_turn(app, "hello"), tentative=True)
    app.listening.turns[turn.message.id] = False
    await app.container.bus().handle(turn)
    await app.settle()
    assert app.listening.asked == [turn.message.id]
    assert app.discord.sent[before:] == [] and app.discord.played == []


async def test_a_whole_turn_is_answered_without_asking_the_listener(app: AppHarness) -> None:
    await trained(app)
    await app.container.bus().handle(spoken_turn(app, "hello"))
    await app.settle()
    assert app.listening.asked == [] and app.discord.sent[-1].text == "Hello there."


async def test_a_recogniser_that_is_down_is_told_in_the_channel(app: AppHarness) -> None:
    app.stt.down = True
    await app.container.bus().handle(spoken_turn(app, "hello"))
    assert app.discord.sent[-1].text.startswith("Speech recognition is unavailable")


def work() -> fakes.FakeWorkQueue:
    """Speech synthesised at once, in memory."""
    return fakes.FakeWorkQueue(JobExecutor(fakes.FakeCodec(), fakes.FakeSpeechToText(), fakes.FakeTextToSpeech(), {}))


class SlowVoice:
    """A voice channel whose playback lasts until cancelled (or released)."""

    def __init__(self) -> None:
        self.playing = asyncio.Event()
        self.release = asyncio.Event()
        self.cancelled = 0
        self.played = 0
        self.left = 0
        self.channel: ChannelId | None = None

    async def join(self, guild_id: GuildId, channel_id: ChannelId) -> None:
        self.channel = channel_id

    async def leave(self, guild_id: GuildId) -> bool:
        self.left += 1
        return True

    def connected_channel(self, guild_id: GuildId) -> ChannelId | None:
        return self.channel

    async def play(self, guild_id: GuildId, audio: EncodedAudio) -> None:
        self.playing.set()
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        self.played += 1

    def spoken(self, text: Text | str, language: str) -> str:
        return str(text)


async def test_barge_in_stops_what_is_said_and_drops_what_was_queued() -> None:
    voice = SlowVoice()
    sessions = VoiceSessions(voice, work(), idle_seconds=60)
    guild, channel = GuildId(1), ChannelId(VOICE)
    assert not sessions.interrupt(guild)  # nothing to stop
    sessions.speak(guild, channel, "One. Two. Three.", "en-US")
    sessions.speak(guild, channel, "Four.", "en-US")
    await asyncio.wait_for(voice.playing.wait(), 2)
    assert sessions.interrupt(guild)
    await asyncio.wait_for(sessions.wait_idle(), 2)
    assert voice.cancelled == 1 and voice.played == 0 and sessions.interrupted == 1
    voice.release.set()
    sessions.speak(guild, channel, "Five.", "en-US")  # speaking goes on afterwards
    await asyncio.wait_for(sessions.wait_idle(), 2)
    assert voice.played == 1
    await sessions.close()


async def test_interrupt_speech_reaches_the_voice_sessions(app: AppHarness) -> None:
    message = app.discord.message("", voice_channel_id=VOICE)
    await app.container.bus().handle(c.InterruptSpeech(message))
    assert app.container.voice.voice_sessions().interrupted == 0  # nothing was being said
    assert app.discord.sent == []


async def test_while_listening_parrot_does_not_leave_when_idle() -> None:
    voice = SlowVoice()
    voice.release.set()
    listening = fakes.FakeListening()
    sessions = VoiceSessions(voice, work(), idle_seconds=0.05, listening=listening)
    await listening.start(GuildId(1), ChannelId(VOICE), ChannelId(10))
    sessions.speak(GuildId(1), ChannelId(VOICE), "Hello.", "en-US")
    await asyncio.sleep(0.3)
    assert voice.left == 0
    await listening.stop(GuildId(1))
    sessions.speak(GuildId(1), ChannelId(VOICE), "Hello.", "en-US")
    await asyncio.sleep(0.3)
    assert voice.left == 1
    await sessions.close()
