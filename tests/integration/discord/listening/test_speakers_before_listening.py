"""Members are heard whenever listening starts, though Discord names each member's SSRC only once.

Discord's voice server sends SPEAKING (op 5) once per member per connection, the first time they speak,
and lists members already in the channel (op 11) by id only. The bot keeps who is behind each SSRC from
the moment it joins, so a member who spoke before `!listen on` (or before `!listen off` and `on`) is heard
after it. The fake says no more than Discord does; `voice.sent_ops` shows what it said.
"""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.discord.listening.client import ListeningVoiceClient
from adapters.discord.listening.opus import OpusStream
from adapters.discord.listening.transport import TransportDecryptor
from cli import settle, shutdown
from domain.ids import GuildId
from support import fakes
from support.discord_harness import build_app_bot, started
from support.fake_discord import FakeDiscord
from support.fake_discord.voice import Mouth
from support.fake_discord.world import Channel, User
from tests.integration.discord.listening.conftest import FAQ, WEATHER, Listening, ToneCodec, options

ASKED = "🎙️ Admin: Parrot, what's the weather like in New York"


@pytest.fixture(params=[False, True], ids=["transport only", "with DAVE"])
async def hearing(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Listening]:
    async with FakeDiscord(dave=request.param) as fake:
        world = fake.world
        world.rooms.append(Channel(world.ids.next(), "Stage", voice=True))  # somewhere to move to
        stt = fakes.ScriptedSpeechToText([WEATHER])
        bot, container = build_app_bot(fake, tmp_path, stt=stt, codec=ToneCodec(), listening=options())
        fake.voice.dave_member_id = world.admin.id  # the member speaking is the fake's DAVE participant
        async with started(bot, fake):
            app = Listening(fake, bot, container, stt)
            await app.fake.reply_to(await app.fake.send_message(world.admin, f"!train {FAQ}"))
            await settle(container)
            yield app
            await settle(container)
            await shutdown(container)


@pytest.fixture
def admin(hearing: Listening) -> Mouth:
    """The admin's one audio stream: its SSRC and counters go on from one talk spurt to the next."""
    return hearing.mouth(hearing.fake.world.admin, 5555)


def voice_client(app: Listening) -> ListeningVoiceClient:
    guild = app.bot.get_guild(app.fake.world.guild_id)
    assert guild is not None and isinstance(guild.voice_client, ListeningVoiceClient)
    return guild.voice_client


async def join(app: Listening) -> None:
    """The admin's `!join` (not listening): the bot comes into the admin's voice channel, deafened."""
    app.fake.voice.dave_ready.clear()
    await app.fake.reply_to(await app.fake.send_message(app.fake.world.admin, "!join"))
    await dave_group(app)


async def dave_group(app: Listening) -> None:
    if app.fake.voice.dave:
        await asyncio.wait_for(app.fake.voice.dave_ready.wait(), 5)


async def ask(app: Listening, admin: Mouth, weather: list[bytes]) -> None:
    """The admin asks the weather aloud; returns once it is transcribed and answered."""
    mark = len(app.fake.calls)
    await app.fake.voice.speak(admin, weather)
    transcript = await app.posted(lambda text: text.startswith("🎙️"), since=mark)
    assert transcript.content == ASKED
    await app.posted(lambda text: "Sunny" in text, since=mark)
    receiver = app.bot.listening.receiver(GuildId(app.fake.world.guild_id))
    assert receiver is not None and "dave" not in receiver.dropped and "unmapped overflow" not in receiver.dropped


async def speak_unheard(app: Listening, admin: Mouth, weather: list[bytes]) -> None:
    """The admin speaks while Parrot is not listening: nothing is transcribed."""
    mark = len(app.fake.calls)
    await app.fake.voice.speak(admin, weather)
    await asyncio.sleep(1.0)  # past the end of turn a listening bot would need
    assert not [text for text in app.posts(mark) if text.startswith("🎙️")]
    assert app.stt.heard == []


def speaking_messages(app: Listening, user: User) -> list[Any]:
    return [data for data in app.fake.voice.sent_ops(5) if data["user_id"] == str(user.id)]


async def test_a_member_who_spoke_before_listening_is_heard_after_it(
    hearing: Listening, admin: Mouth, weather: list[bytes]
) -> None:
    world = hearing.fake.world
    await hearing.fake.move_to_voice(world.admin, world.voice_channel.id)
    await join(hearing)
    await speak_unheard(hearing, admin, weather)
    await hearing.turn_on()
    await ask(hearing, admin, weather)  # Discord names the SSRC no more: this talk spurt comes without SPEAKING
    assert len(hearing.fake.voice.connections) == 1
    assert len(speaking_messages(hearing, world.admin)) == 1
    if hearing.fake.voice.dave:  # decrypted end to end with the member's id, found through the kept map
        session = voice_client(hearing).connection.dave_session
        assert session is not None
        stats = session.get_decryption_stats(world.admin.id)
        assert stats is not None and stats.successes > 0 and stats.failures == 0


async def test_listening_off_then_on_still_hears_the_member(
    hearing: Listening, admin: Mouth, weather: list[bytes]
) -> None:
    world = hearing.fake.world
    await hearing.turn_on()
    await dave_group(hearing)
    await ask(hearing, admin, weather)
    off = await hearing.fake.send_message(world.admin, "!listen off")
    assert (await hearing.fake.reply_to(off)).content.startswith("I stopped listening")
    await hearing.turn_on()
    await ask(hearing, admin, weather)
    assert len(hearing.fake.voice.connections) == 1
    assert len(speaking_messages(hearing, world.admin)) == 1


async def test_a_member_in_the_channel_before_the_bot_joined_is_heard(
    hearing: Listening, admin: Mouth, weather: list[bytes]
) -> None:
    world = hearing.fake.world
    await hearing.fake.move_to_voice(world.admin, world.voice_channel.id)
    await hearing.fake.move_to_voice(world.alice, world.voice_channel.id)
    await hearing.turn_on()  # the bot joins a channel where both already are
    await dave_group(hearing)
    [present] = hearing.fake.voice.sent_ops(11, 0)
    assert sorted(present["user_ids"]) == sorted([str(world.admin.id), str(world.alice.id)])
    client = voice_client(hearing)
    assert client.speakers.present == {world.admin.id, world.alice.id}
    assert client.speakers.ssrcs_of(world.admin.id) == []  # ids only until they speak
    if hearing.fake.voice.dave:  # the group holds the member who was there first
        session = client.connection.dave_session
        assert session is not None
        async with asyncio.timeout(5):  # the bot takes the group's commit on its own time
            while not session.ready:
                await asyncio.sleep(0.01)
        assert str(world.admin.id) in session.get_user_ids()
    await ask(hearing, admin, weather)
    assert client.speakers.ssrcs_of(world.admin.id) == [5555]


async def test_the_bot_keeps_hearing_after_a_voice_reconnect(
    hearing: Listening, admin: Mouth, weather: list[bytes]
) -> None:
    world = hearing.fake.world
    voice = hearing.fake.voice
    await hearing.fake.move_to_voice(world.admin, world.voice_channel.id)
    await join(hearing)
    await speak_unheard(hearing, admin, weather)
    await hearing.turn_on()
    voice.dave_ready.clear()
    await voice.drop(code=4006)
    async with asyncio.timeout(30):
        while len(voice.connections) < 2 or not voice.connected.is_set():
            await asyncio.sleep(0.02)
    await dave_group(hearing)
    await asyncio.sleep(0.3)
    await ask(hearing, admin, weather)
    assert voice_client(hearing).speakers.user_of(5555) == world.admin.id


async def test_the_bot_keeps_hearing_after_it_is_moved_to_another_channel(
    hearing: Listening, admin: Mouth, weather: list[bytes]
) -> None:
    world = hearing.fake.world
    [stage] = [room for room in world.rooms if room.voice]
    await hearing.turn_on()
    await dave_group(hearing)
    await ask(hearing, admin, weather)
    client = voice_client(hearing)
    await hearing.fake.move_to_voice(world.admin, stage.id)
    assert await left_seen(client, world.admin.id)  # the bot's channel: Discord says the admin left it
    hearing.fake.voice.dave_ready.clear()
    await join(hearing)  # the bot follows the admin, still listening
    async with asyncio.timeout(10):
        while client.channel is None or client.channel.id != stage.id or not hearing.fake.voice.connected.is_set():
            await asyncio.sleep(0.02)
    assert voice_client(hearing) is client  # one stay in voice, moved, not left
    await asyncio.sleep(0.3)
    await ask(hearing, admin, weather)
    assert hearing.bot.listening.listening_channel(GuildId(world.guild_id)) == stage.id


async def left_seen(client: ListeningVoiceClient, user_id: int) -> bool:
    """CLIENT_DISCONNECT (op 13) reaches the bot's map: the member who left is no longer present."""
    async with asyncio.timeout(5):
        while user_id in client.speakers.present:
            await asyncio.sleep(0.01)
    return True


async def test_the_map_follows_members_joining_and_leaving(hearing: Listening, weather: list[bytes]) -> None:
    world = hearing.fake.world
    voice = hearing.fake.voice
    await hearing.fake.move_to_voice(world.admin, world.voice_channel.id)
    await join(hearing)
    client = voice_client(hearing)
    await hearing.fake.move_to_voice(world.alice, world.voice_channel.id)
    async with asyncio.timeout(5):
        while world.alice.id not in client.speakers.present:
            await asyncio.sleep(0.01)
    assert {"user_ids": [str(world.alice.id)]} in voice.sent_ops(11)
    await voice.speak(hearing.mouth(world.alice, 6666), weather[:10])  # not listening: her SSRC, no audio
    async with asyncio.timeout(5):
        while client.speakers.user_of(6666) is None:
            await asyncio.sleep(0.01)
    assert client.speakers.user_of(6666) == world.alice.id
    await hearing.fake.move_to_voice(world.alice, None)
    assert await left_seen(client, world.alice.id)
    assert {"user_id": str(world.alice.id)} in voice.sent_ops(13)
    assert client.speakers.user_of(6666) is None


async def test_no_audio_is_decrypted_or_decoded_before_listening_begins(
    hearing: Listening, admin: Mouth, weather: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[int] = []
    decoded: list[int] = []
    real_open, real_decode = TransportDecryptor.open, OpusStream.decode

    def counting_open(self: TransportDecryptor, packet: Any) -> bytes:
        opened.append(1)
        return real_open(self, packet)

    def counting_decode(self: OpusStream, frame: bytes) -> bytes:
        decoded.append(1)
        return real_decode(self, frame)

    monkeypatch.setattr(TransportDecryptor, "open", counting_open)
    monkeypatch.setattr(OpusStream, "decode", counting_decode)
    world = hearing.fake.world
    await hearing.fake.move_to_voice(world.admin, world.voice_channel.id)
    await join(hearing)
    await speak_unheard(hearing, admin, weather)
    client = voice_client(hearing)
    assert client.speakers.user_of(5555) == world.admin.id  # who spoke is known: ids only
    assert hearing.bot.listening.receiver(GuildId(world.guild_id)) is None
    assert opened == [] and decoded == []
    if hearing.fake.voice.dave:
        session = client.connection.dave_session
        assert session is not None
        stats = session.get_decryption_stats(world.admin.id)
        assert stats is None or stats.attempts == 0
    await hearing.turn_on()
    await asyncio.sleep(0.5)  # what the socket kept from before would be read at once: it is dropped unread
    receiver = hearing.bot.listening.receiver(GuildId(world.guild_id))
    assert receiver is not None and receiver.received == 0 and not receiver.dropped
    assert opened == [] and decoded == []
    await ask(hearing, admin, weather)
    assert opened and decoded  # the same counters see the audio once listening is on
    assert 2.0 < hearing.stt.heard[-1] < 4.3  # the question alone, nothing from before joined to it
