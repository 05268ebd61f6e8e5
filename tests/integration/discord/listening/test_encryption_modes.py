"""Listening in AES-256-GCM, the mode Discord prefers and lists first: negotiated, heard in, spoken in.

The fake offers the modes as Discord does, seals the member's speech in the mode the bot chose, and
opens (then decodes) what the bot says in it; with DAVE on, the end-to-end layer rides inside it.
"""

import asyncio
from pathlib import Path

import discord
import pytest

from adapters.discord.listening.transport import AES_GCM
from cli import settle, shutdown
from domain.ids import GuildId
from support import fakes
from support.discord_harness import build_app_bot, started
from support.fake_discord import FakeDiscord
from support.fake_discord.audio import OPUS_SILENCE, decode_ogg, decode_opus, measure
from support.fake_discord.voice import DISCORD_MODES
from tests.integration.discord.listening.conftest import FAQ, WEATHER, Listening, ToneCodec, options


async def train(app: Listening) -> None:
    await app.fake.reply_to(await app.fake.send_message(app.fake.world.admin, f"!train {FAQ}"))
    await settle(app.container)


@pytest.mark.parametrize("dave", [False, True], ids=["transport only", "with DAVE"])
async def test_offered_aes_gcm_first_the_bot_hears_and_speaks_in_it(
    tmp_path: Path, weather: list[bytes], dave: bool
) -> None:
    async with FakeDiscord(dave=dave) as fake:
        fake.voice.modes = list(DISCORD_MODES)
        stt = fakes.ScriptedSpeechToText([WEATHER])
        codec = ToneCodec()
        bot, container = build_app_bot(fake, tmp_path, stt=stt, codec=codec, listening=options())
        fake.voice.dave_member_id = fake.world.admin.id  # the member speaking is the fake's DAVE participant
        async with started(bot, fake):
            app = Listening(fake, bot, container, stt)
            await train(app)
            await app.turn_on()
            if dave:
                await asyncio.wait_for(fake.voice.dave_ready.wait(), 5)
            [connection] = fake.voice.connections
            assert connection.mode == AES_GCM
            guild = GuildId(fake.world.guild_id)
            server = bot.get_guild(guild)
            assert server is not None and isinstance(server.voice_client, discord.VoiceClient)
            assert server.voice_client.mode == AES_GCM

            mark, frames_before = len(fake.calls), len(fake.voice.frames)
            await fake.voice.speak(app.mouth(fake.world.admin, 5555), weather)  # sealed in AES-256-GCM
            transcript = await app.posted(lambda text: text.startswith("🎙️"), since=mark)
            assert transcript.content == "🎙️ Admin: Parrot, what's the weather like in New York"
            await app.posted(lambda text: "Sunny" in text, since=mark)
            assert 2.0 < stt.heard[0] < 4.3  # the whole question was opened and decoded, none of it refused
            receiver = bot.listening.receiver(guild)
            assert receiver is not None and not receiver.dropped["bad packet"] and "dave" not in receiver.dropped

            # What the bot said, opened by the fake in AES-256-GCM (and DAVE), is the tone it was given.
            spoken = await fake.voice.wait_for_silence(frames_before)
            voiced = [frame for frame in spoken if frame.opus != OPUS_SILENCE]
            assert all(frame.end_to_end_encrypted == dave for frame in voiced)
            heard, expected = measure(decode_opus([f.opus for f in voiced])), measure(decode_ogg(codec.tone))
            assert abs(heard.seconds - expected.seconds) < 0.05
            assert abs(heard.dominant_hz - 440.0) < 5
            assert abs(heard.rms_dbfs - expected.rms_dbfs) < 1.0
            await settle(container)
            await shutdown(container)
