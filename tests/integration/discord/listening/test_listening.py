"""Listening through the fake Discord: members speak real clips, Parrot hears, answers, and speaks back.

The recogniser here is scripted by the length of what it hears (tests/integration/discord/listening/test_real_speech.py
runs Whisper and piper); everything else is real: RTP, transport encryption, Opus, turns, the bus.
"""

import asyncio
import os
from pathlib import Path

from adapters.discord.listening.options import HearingLimits
from cli import settle, shutdown
from domain.ids import GuildId
from support import fakes
from support.discord_harness import build_app_bot, started
from support.fake_discord import FakeDiscord
from support.fake_discord.audio import OPUS_SILENCE
from tests.integration.discord.listening.conftest import FAQ, TONE_SECONDS, WEATHER, Listening, ToneCodec, options


async def train(app: Listening) -> None:
    message = await app.fake.send_message(app.fake.world.admin, f"!train {FAQ}")
    await app.fake.reply_to(message)
    await settle(app.container)


async def test_a_spoken_question_is_transcribed_answered_and_spoken(app: Listening, weather: list[bytes]) -> None:
    await train(app)
    await app.turn_on()
    world = app.fake.world
    mark, frames_before = len(app.fake.calls), len(app.fake.voice.frames)
    await app.fake.voice.speak(app.mouth(world.admin, 5555), weather)
    transcript = await app.posted(lambda text: text.startswith("🎙️"), since=mark)
    assert transcript.content == "🎙️ Admin: Parrot, what's the weather like in New York"
    answer = await app.posted(lambda text: "Sunny" in text, since=mark)
    assert answer.reply_to is not None
    # Both in the voice channel's own text chat, though `listen on` was typed in a text channel.
    assert f"/channels/{world.voice_channel.id}/messages" in transcript.path
    assert f"/channels/{world.voice_channel.id}/messages" in answer.path
    spoken = await app.fake.voice.wait_for_silence(frames_before)
    assert any(frame.opus != OPUS_SILENCE for frame in spoken)
    assert app.tts.spoken[-1][0] == "Sunny and warm."
    assert 2.0 < app.stt.heard[0] < 4.3


async def test_transcripts_and_answers_go_to_the_configured_channel_when_there_is_one(
    tmp_path: Path, weather: list[bytes]
) -> None:
    async with FakeDiscord() as fake:
        world = fake.world
        stt = fakes.ScriptedSpeechToText([WEATHER])
        listening = options(transcript_channel_id=world.text_channel.id)
        bot, container = build_app_bot(fake, tmp_path, stt=stt, codec=ToneCodec(), listening=listening)
        async with started(bot, fake):
            app = Listening(fake, bot, container, stt)
            await train(app)
            await app.turn_on()
            mark = len(fake.calls)
            await fake.voice.speak(app.mouth(world.admin, 5555), weather)
            transcript = await app.posted(lambda text: text.startswith("🎙️"), since=mark)
            answer = await app.posted(lambda text: "Sunny" in text, since=mark)
            for call in (transcript, answer):
                assert f"/channels/{world.text_channel.id}/messages" in call.path
            await settle(container)


def guild_of(app: Listening) -> GuildId:
    return GuildId(app.fake.world.guild_id)


async def nothing_posted_after(app: Listening, since: int, seconds: float = 1.5) -> None:
    await asyncio.sleep(seconds)
    assert not [text for text in app.posts(since) if text.startswith("🎙️")]


async def test_listening_is_off_by_default_and_the_bot_deafened(app: Listening, weather: list[bytes]) -> None:
    world = app.fake.world
    await app.fake.move_to_voice(world.admin, world.voice_channel.id)
    await app.fake.reply_to(await app.fake.send_message(world.admin, "!join"))
    assert world.self_deaf[world.bot.id] is True
    mark = len(app.fake.calls)
    await app.fake.voice.speak(app.mouth(world.admin, 5555), weather)
    await nothing_posted_after(app, mark)
    assert app.bot.listening.receiver(guild_of(app)) is None and app.stt.heard == []

    await app.turn_on()
    assert world.self_deaf[world.bot.id] is False  # members see that it hears
    assert "listen optout" in app.posts()[-1] and "this notice stands" in app.posts()[-1]  # no nickname right
    off = await app.fake.send_message(world.admin, "!listen off")
    assert (await app.fake.reply_to(off)).content.startswith("I stopped listening")
    assert world.self_deaf[world.bot.id] is True
    mark = len(app.fake.calls)
    await app.fake.voice.speak(app.mouth(world.admin, 5555), weather)
    await nothing_posted_after(app, mark)
    assert app.stt.heard == []


async def test_only_admins_turn_listening_on(app: Listening) -> None:
    world = app.fake.world
    await app.fake.move_to_voice(world.alice, world.voice_channel.id)
    refused = await app.fake.send_message(world.alice, "!listen on")
    assert "needs the Manage Server" in (await app.fake.reply_to(refused)).content
    assert app.bot.listening.listening_channel(guild_of(app)) is None


async def test_an_opted_out_member_is_not_heard(app: Listening, weather: list[bytes]) -> None:
    world = app.fake.world
    await app.turn_on()
    out = await app.fake.send_message(world.admin, "!listen optout")
    assert "won't hear you" in (await app.fake.reply_to(out)).content
    mark = len(app.fake.calls)
    admin = app.mouth(world.admin, 5555)
    await app.fake.voice.speak(admin, weather)
    await nothing_posted_after(app, mark)
    receiver = app.bot.listening.receiver(guild_of(app))
    assert receiver is not None and receiver.received == 0 and receiver.dropped["opted out"] > 0
    assert app.stt.heard == []

    back = await app.fake.send_message(world.admin, "!listen optin")
    await app.fake.reply_to(back)
    mark = len(app.fake.calls)
    await app.fake.voice.speak(admin, weather)
    await app.posted(lambda text: text.startswith("🎙️"), since=mark)


async def test_with_two_people_only_turns_that_call_parrot_are_answered(
    app: Listening, weather: list[bytes], timer: list[bytes]
) -> None:
    world = app.fake.world
    await train(app)
    await app.fake.move_to_voice(world.alice, world.voice_channel.id)
    await app.turn_on()
    mark = len(app.fake.calls)
    alice = app.mouth(world.alice, 6666)
    await app.fake.voice.speak(alice, timer)  # "set a timer ...": not for Parrot
    await nothing_posted_after(app, mark)
    assert len(app.stt.heard) == 1
    await app.fake.voice.speak(alice, weather)  # "Parrot, what's the weather ..."
    transcript = await app.posted(lambda text: text.startswith("🎙️"), since=mark)
    assert transcript.content == "🎙️ Alice: Parrot, what's the weather like in New York"
    await app.posted(lambda text: "Sunny" in text, since=mark)


async def test_alone_with_parrot_a_member_needs_no_wake_name(app: Listening, timer: list[bytes]) -> None:
    await train(app)
    await app.turn_on()
    mark = len(app.fake.calls)
    await app.fake.voice.speak(app.mouth(app.fake.world.admin, 5555), timer)
    await app.posted(lambda text: "set timers" in text, since=mark)


async def test_two_members_talking_at_once_are_heard_as_two_turns(
    app: Listening, weather: list[bytes], timer: list[bytes]
) -> None:
    world = app.fake.world
    await train(app)
    app.stt.script[1] = (*app.stt.script[1][:2], "Parrot, set a timer for 3 hours and 10 minutes")
    await app.fake.move_to_voice(world.alice, world.voice_channel.id)
    await app.turn_on()
    mark = len(app.fake.calls)
    await asyncio.gather(
        app.fake.voice.speak(app.mouth(world.admin, 5555), weather),
        app.fake.voice.speak(app.mouth(world.alice, 6666), timer),
    )
    await app.posted(lambda text: "Sunny" in text, since=mark)
    await app.posted(lambda text: "set timers" in text, since=mark), app.stt.heard
    transcripts = sorted(text for text in app.posts(mark) if text.startswith("🎙️"))
    assert transcripts == [
        "🎙️ Admin: Parrot, what's the weather like in New York",
        "🎙️ Alice: Parrot, set a timer for 3 hours and 10 minutes",
    ]


async def test_a_member_who_speaks_while_parrot_talks_interrupts_it(
    app: Listening, weather: list[bytes], timer: list[bytes]
) -> None:
    world = app.fake.world
    await train(app)
    await app.turn_on()
    sessions = app.container.voice.voice_sessions()
    start = len(app.fake.voice.frames)
    admin = app.mouth(world.admin, 5555)
    await app.fake.voice.speak(admin, weather)
    async with asyncio.timeout(10):
        while len(app.fake.voice.frames) < start + 25:  # half a second of the 3 s answer has been heard
            await asyncio.sleep(0.02)
    await app.fake.voice.speak(admin, timer[:40])
    async with asyncio.timeout(5):
        while sessions.interrupted < 1:
            await asyncio.sleep(0.02)
    first_answer = await app.fake.voice.wait_for_silence(start)
    voiced = [frame for frame in first_answer if frame.opus != OPUS_SILENCE]
    assert len(voiced) < 0.8 * TONE_SECONDS * 50  # cut short, not played to the end


async def test_the_conversation_is_end_to_end_encrypted_with_dave(tmp_path: Path, weather: list[bytes]) -> None:
    async with FakeDiscord(dave=True) as fake:
        stt = fakes.ScriptedSpeechToText([WEATHER])
        bot, container = build_app_bot(fake, tmp_path, stt=stt, codec=ToneCodec(), listening=options())
        fake.voice.dave_member_id = fake.world.admin.id  # the member speaking is the fake's DAVE participant
        async with started(bot, fake):
            app = Listening(fake, bot, container, stt)
            await train(app)
            await app.turn_on()
            await asyncio.wait_for(fake.voice.dave_ready.wait(), 5)
            mark, frames_before = len(fake.calls), len(fake.voice.frames)
            await fake.voice.speak(app.mouth(fake.world.admin, 5555), weather)
            await app.posted(lambda text: "Sunny" in text, since=mark)
            spoken = await fake.voice.wait_for_silence(frames_before)
            assert all(frame.end_to_end_encrypted for frame in spoken if frame.opus != OPUS_SILENCE)
            receiver = bot.listening.receiver(GuildId(fake.world.guild_id))
            assert receiver is not None and "dave" not in receiver.dropped
            await settle(container)
            await shutdown(container)


async def test_bad_input_on_the_voice_socket_is_dropped_and_listening_goes_on(
    app: Listening, weather: list[bytes]
) -> None:
    world = app.fake.world
    await app.turn_on()
    voice = app.fake.voice
    mouth = app.mouth(world.admin, 5555)
    await voice.announce(mouth)
    receiver = app.bot.listening.receiver(guild_of(app))
    assert receiver is not None
    async with asyncio.timeout(5):  # the SPEAKING message first, so these packets are not held as early ones
        while receiver.speakers.user_of(mouth.ssrc) is None:
            await asyncio.sleep(0.01)
    replayed = voice.packet(mouth, weather[30])
    # Random bytes, but never RTP version 2 (the first two bits), so each is surely a bad packet.
    not_rtp = (b"\x00" + os.urandom(39), b"\x40" + os.urandom(1499))
    for junk in (b"", b"\x80", *not_rtp, replayed, replayed, replayed[:-7]):
        voice.send_raw(junk)
    voice.send_raw(voice.packet(mouth, weather[31], key=os.urandom(32)))
    for n in range(25):  # 25 members at once, a few packets each
        crowd = app.mouth(world.alice, 9000 + n)
        voice.send_raw(voice.packet(crowd, os.urandom(60)))
    for _ in range(300):  # a burst far beyond one member's share
        voice.send_raw(voice.packet(mouth, b"\xf8\xff\xfe"))
    async with asyncio.timeout(10):  # the reader thread works through them at its own pace on a busy machine
        while not (receiver.dropped["bad packet"] >= 4 and receiver.dropped["speaker flood"] > 0):
            await asyncio.sleep(0.05)
    assert receiver.dropped["replayed"] >= 1
    mark = len(app.fake.calls)
    await voice.speak(app.mouth(world.admin, 5556), weather)
    await app.posted(lambda text: text.startswith("🎙️"), since=mark)


async def test_listening_survives_a_voice_reconnect(tmp_path: Path, weather: list[bytes]) -> None:
    async with FakeDiscord() as fake:
        stt = fakes.ScriptedSpeechToText([WEATHER])
        # discord.py's own connection timeout (60 s), not the tests' 5 s: a loaded machine and discord.py's
        # back-off between attempts can make one reconnection slow (the 30 s select() stall itself is gone).
        bot, container = build_app_bot(fake, tmp_path, stt=stt, listening=options(), voice_connect_timeout=60.0)
        async with started(bot, fake):
            app = Listening(fake, bot, container, stt)
            await app.turn_on()
            connections = len(fake.voice.connections)
            await fake.voice.drop(code=4006)
            async with asyncio.timeout(60):
                while len(fake.voice.connections) <= connections or not fake.voice.connected.is_set():
                    await asyncio.sleep(0.02)
            await asyncio.sleep(0.3)
            mark = len(fake.calls)
            await fake.voice.speak(app.mouth(fake.world.admin, 5555), weather)
            await app.posted(lambda text: text.startswith("🎙️"), since=mark, timeout=15)
            await shutdown(container)


async def test_silence_keeps_the_udp_route_open_while_listening(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        stt = fakes.ScriptedSpeechToText([WEATHER])
        bot, container = build_app_bot(fake, tmp_path, stt=stt, listening=options(keepalive_seconds=0.2))
        async with started(bot, fake):
            app = Listening(fake, bot, container, stt)
            await app.turn_on()
            mark = len(fake.voice.frames)
            await asyncio.sleep(1.2)
            kept = fake.voice.frames[mark:]
            assert len(kept) >= 3 and all(frame.opus == OPUS_SILENCE for frame in kept)
            await app.fake.send_message(fake.world.admin, "!listen off")
            await asyncio.sleep(0.3)
            mark = len(fake.voice.frames)
            await asyncio.sleep(0.6)
            assert fake.voice.frames[mark:] == []  # not listening: nothing sent
            await shutdown(container)


async def test_broken_end_to_end_decryption_rejoins_once_then_stops_and_says_so(tmp_path: Path) -> None:
    async with FakeDiscord(dave=True) as fake:
        stt = fakes.ScriptedSpeechToText([WEATHER])
        limits = HearingLimits(dave_failures=10)
        bot, container = build_app_bot(fake, tmp_path, stt=stt, codec=ToneCodec(), listening=options(limits=limits))
        fake.voice.dave_member_id = fake.world.admin.id
        async with started(bot, fake):
            app = Listening(fake, bot, container, stt)
            await app.turn_on()
            await asyncio.wait_for(fake.voice.dave_ready.wait(), 5)
            mark = len(fake.calls)
            mouth = app.mouth(fake.world.admin, 5555)
            await fake.voice.announce(mouth)
            connections = len(fake.voice.connections)
            fake.voice.dave_ready.clear()
            for _ in range(12):  # frames no DAVE session can open
                fake.voice.send_raw(fake.voice.packet(mouth, b"garbage" + b"\x00" * 20 + b"\xfa\xfa", end_to_end=False))
                await asyncio.sleep(0.01)
            await app.posted(lambda text: "rejoining it once" in text, since=mark)
            async with asyncio.timeout(10):
                while len(fake.voice.connections) <= connections or not fake.voice.connected.is_set():
                    await asyncio.sleep(0.02)
            await asyncio.wait_for(fake.voice.dave_ready.wait(), 5)  # the new connection's DAVE group
            await fake.voice.announce(mouth)
            for _ in range(12):
                fake.voice.send_raw(fake.voice.packet(mouth, b"garbage" + b"\x00" * 20 + b"\xfa\xfa", end_to_end=False))
                await asyncio.sleep(0.01)
            await app.posted(lambda text: "I stopped listening" in text, since=mark)
            assert bot.listening.listening_channel(GuildId(fake.world.guild_id)) is None
            await shutdown(container)


async def test_the_nickname_shows_listening_where_the_bot_may_change_it(tmp_path: Path) -> None:
    async with FakeDiscord(bot_may_rename=True) as fake:
        stt = fakes.ScriptedSpeechToText([WEATHER])
        bot, container = build_app_bot(fake, tmp_path, stt=stt, listening=options())
        async with started(bot, fake):
            app = Listening(fake, bot, container, stt)
            await app.turn_on()
            assert fake.world.nicknames[fake.world.bot.id] == "Parrot 🎙️"
            assert "this notice stands" not in app.posts()[-1]
            await app.fake.reply_to(await app.fake.send_message(fake.world.admin, "!listen off"))
            assert fake.world.nicknames[fake.world.bot.id] is None  # back to its own name
            await shutdown(container)


async def test_listening_survives_a_reconnection_that_times_out_half_way(app: Listening, weather: list[bytes]) -> None:
    # The voice server holds its answers: discord.py's attempt times out before its new socket is connected,
    # and its reader thread must not sleep on that socket (discord.py's 30 s select) through the next attempt.
    world = app.fake.world
    await app.turn_on()
    connections = len(app.fake.voice.connections)
    app.fake.voice.answering.clear()
    await app.fake.voice.drop(code=4006)
    async with asyncio.timeout(30):
        while len(app.fake.voice.connections) <= connections:
            await asyncio.sleep(0.02)
    await asyncio.sleep(6.0)  # past the bot's 5 s connection timeout
    app.fake.voice.answering.set()
    async with asyncio.timeout(30):
        while not app.fake.voice.connected.is_set():
            await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)
    mark = len(app.fake.calls)
    await app.fake.voice.speak(app.mouth(world.admin, 5555), weather)
    await app.posted(lambda text: text.startswith("🎙️"), since=mark, timeout=15)
