"""`!join`, then audio played by the bot, captured by the fake voice server, decrypted and decoded."""

import asyncio
from collections.abc import AsyncIterator

import pytest

from adapters.discord import ParrotBot
from domain import commands as c
from domain.ids import ChannelId, GuildId
from domain.speech import EncodedAudio
from support.discord_harness import RecordingSink, running_bot
from support.fake_discord import FakeDiscord
from support.fake_discord.audio import OPUS_SILENCE, decode_ogg, decode_opus, make_tone_ogg, measure
from support.fake_discord.voice import DISCORD_MODES, XCHACHA, Frame


@pytest.fixture(scope="module")
def tone() -> bytes:
    return make_tone_ogg(seconds=1.0, frequency=440.0)


def clip(data: bytes, seconds: float = 1.0) -> EncodedAudio:
    return EncodedAudio(data, "ogg_opus", seconds)


async def join_by_command(fake: FakeDiscord, bot: ParrotBot, sink: RecordingSink) -> GuildId:
    """Alice sits in the Lounge and types `!join`; a scripted sink does what the core would: join her channel."""

    async def join(command: c.Command) -> None:
        message = command.message
        assert message.guild_id is not None and message.author_voice_channel_id is not None
        await bot.voice.join(message.guild_id, message.author_voice_channel_id)

    sink.scripts[c.JoinVoice] = join
    await fake.move_to_voice(fake.world.alice, fake.world.voice_channel.id)
    await fake.send_message(fake.world.alice, "!join")
    await sink.next_of(c.JoinVoice)
    guild = GuildId(fake.world.guild_id)
    async with asyncio.timeout(5):
        while bot.voice.connected_channel(guild) is None or not fake.voice.connected.is_set():
            await asyncio.sleep(0.01)
    return guild


def check_heard(frames: list[Frame], reference: bytes, frequency: float = 440.0) -> None:
    voiced = [frame for frame in frames if frame.opus != OPUS_SILENCE]
    sound = measure(decode_opus([frame.opus for frame in voiced]))
    expected = measure(decode_ogg(reference))
    assert abs(sound.seconds - expected.seconds) < 0.05
    assert abs(sound.dominant_hz - frequency) < 5
    assert abs(sound.rms_dbfs - expected.rms_dbfs) < 1.0
    sequences = [frame.sequence for frame in frames]
    assert sequences == [(sequences[0] + i) % 65536 for i in range(len(frames))]


@pytest.fixture
async def dave_fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(dave=True) as server:
        yield server


async def test_join_then_play_a_clip(fake: FakeDiscord, bot: ParrotBot, sink: RecordingSink, tone: bytes) -> None:
    guild = await join_by_command(fake, bot, sink)
    assert bot.voice.connected_channel(guild) == fake.world.voice_channel.id
    started = asyncio.get_running_loop().time()
    await bot.voice.play(guild, clip(tone))
    elapsed = asyncio.get_running_loop().time() - started
    assert 0.9 < elapsed < 2.0  # play() returns when the clip has been heard, in real time
    frames = await fake.voice.wait_for_silence(0)
    check_heard(frames, tone)
    [connection] = fake.voice.connections
    assert connection.mode == "aead_xchacha20_poly1305_rtpsize"
    assert not any(frame.end_to_end_encrypted for frame in frames)

    assert await bot.voice.leave(guild)
    assert bot.voice.connected_channel(guild) is None
    assert fake.gateway.voice_requests[-1]["channel_id"] is None
    assert not await bot.voice.leave(guild)


async def test_offered_aes_gcm_first_as_discord_does_the_bot_plays_in_it(
    fake: FakeDiscord, bot: ParrotBot, sink: RecordingSink, tone: bytes
) -> None:
    fake.voice.modes = list(DISCORD_MODES)
    guild = await join_by_command(fake, bot, sink)
    await bot.voice.play(guild, clip(tone))
    frames = await fake.voice.wait_for_silence(0)
    check_heard(frames, tone)  # opened by the fake in AES-256-GCM, then decoded
    [connection] = fake.voice.connections
    assert connection.mode == "aead_aes256_gcm_rtpsize"


async def test_the_fake_flags_a_bot_that_chooses_a_discontinued_mode(
    fake: FakeDiscord, bot: ParrotBot, sink: RecordingSink
) -> None:
    fake.voice.modes = ["xsalsa20_poly1305", XCHACHA]  # discord.py still knows the old mode: it takes it
    await join_by_command(fake, bot, sink)
    assert fake.problems() == [f"the bot chose xsalsa20_poly1305 (offered: xsalsa20_poly1305, {XCHACHA})"]
    fake.voice.errors.clear()  # seen; the fixture's check would fail the test otherwise


async def test_plays_queue_instead_of_cutting_each_other(
    fake: FakeDiscord, bot: ParrotBot, sink: RecordingSink, tone: bytes
) -> None:
    high = make_tone_ogg(seconds=0.5, frequency=880.0)
    guild = await join_by_command(fake, bot, sink)
    await asyncio.gather(bot.voice.play(guild, clip(tone)), bot.voice.play(guild, clip(high, 0.5)))
    frames = await fake.voice.wait_for_silence(0)
    # Two streams, one after the other, each ending with five silence frames.
    ends = [i for i in range(len(frames)) if frames[i].opus == OPUS_SILENCE and frames[i - 1].opus != OPUS_SILENCE]
    assert len(ends) == 2
    check_heard(frames[: ends[0]], tone, 440.0)
    check_heard(frames[ends[0] + 5 :], high, 880.0)


async def test_playing_resumes_after_the_voice_connection_drops(
    fake: FakeDiscord, bot: ParrotBot, sink: RecordingSink, tone: bytes
) -> None:
    guild = await join_by_command(fake, bot, sink)
    # Someone talks before the drop. discord.py's UDP reader thread waits in a 30 s select() after a
    # handshake until a packet arrives; a drop before that would delay the reconnection up to 30 s.
    fake.voice.speak_to_bot()
    await asyncio.sleep(0.1)
    fake.voice.answering.clear()  # hold the reconnection half-way, to play while it is under way
    await fake.voice.drop(code=4006)
    async with asyncio.timeout(5):
        while len(fake.voice.connections) < 2:  # discord.py reconnects after a random backoff (0-2 s)
            await asyncio.sleep(0.01)
    mark = len(fake.voice.frames)
    playing = asyncio.create_task(bot.voice.play(guild, clip(tone)))
    await asyncio.sleep(0.2)
    assert not playing.done()  # waiting for the connection to come back
    fake.voice.answering.set()
    await asyncio.wait_for(playing, 10)
    frames = await fake.voice.wait_for_silence(mark)
    check_heard(frames, tone)
    first, second = fake.voice.connections
    assert {frame.ssrc for frame in frames} == {second.ssrc} != {first.ssrc}


async def test_voice_is_end_to_end_encrypted_with_dave(
    dave_fake: FakeDiscord, sink: RecordingSink, tone: bytes
) -> None:
    async with running_bot(dave_fake, sink) as bot:
        guild = await join_by_command(dave_fake, bot, sink)
        await asyncio.wait_for(dave_fake.voice.dave_ready.wait(), 5)
        await bot.voice.play(guild, clip(tone))
        frames = await dave_fake.voice.wait_for_silence(0)
        check_heard(frames, tone)
        assert all(frame.end_to_end_encrypted for frame in frames if frame.opus != OPUS_SILENCE)


async def test_join_refuses_a_channel_it_cannot_see(fake: FakeDiscord, bot: ParrotBot) -> None:
    from domain.errors import NotFound

    with pytest.raises(NotFound):
        await bot.voice.join(GuildId(fake.world.guild_id), ChannelId(fake.world.text_channel.id))
