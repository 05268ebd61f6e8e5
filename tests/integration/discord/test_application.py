"""The real application (bootstrap's container, fake speech and model backends) behind the real Discord driver."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.discord import ParrotBot
from application.messagebus import APOLOGY
from bootstrap import Container
from cli import settle, shutdown
from domain.catalogue import BY_NAME
from domain.speech import AudioClip, EncodedAudio
from support import fakes
from support.discord_harness import build_app_bot, started
from support.fake_discord import ADD_REACTION, REMOVE_REACTION, SEND_MESSAGE, FakeDiscord
from support.fake_discord.audio import OPUS_SILENCE, decode_ogg, decode_opus, make_tone_ogg, measure

TONE = make_tone_ogg(seconds=0.6, frequency=440.0)


class ToneCodec(fakes.FakeCodec):
    """The fake codec, except that what it encodes for voice is real Ogg/Opus (a tone) a listener can decode."""

    async def encode_for_voice(self, clip: AudioClip) -> EncodedAudio:
        self.encoded.append(clip)
        return EncodedAudio(TONE, "ogg_opus", 0.6)


@dataclass
class App:
    bot: ParrotBot
    container: Container
    codec: ToneCodec


@pytest.fixture
async def app(fake: FakeDiscord, tmp_path: Path) -> AsyncIterator[App]:
    codec = ToneCodec()
    bot, container = build_app_bot(fake, tmp_path, codec=codec, privileged_roles=("Trainer",))
    async with started(bot, fake):
        yield App(bot, container, codec)
        await settle(container)
        await shutdown(container)


async def test_hi_is_answered_by_the_core(fake: FakeDiscord, app: App) -> None:
    message = await fake.send_message(fake.world.alice, "!hi")
    reply = await fake.reply_to(message)
    assert reply.content.startswith("Hi Alice! I'm Parrot")
    assert reply.body["allowed_mentions"] == {"parse": []}


@pytest.mark.parametrize("name", sorted(BY_NAME))
async def test_every_command_gets_an_answer_not_an_apology(fake: FakeDiscord, app: App, name: str) -> None:
    argument = {"archive": " logs", "getfile": " notes.txt", "correct": " Paris", "feedback": " Nice"}.get(name, "")
    message = await fake.send_message(fake.world.admin, f"!{name}{argument}")
    reply = await fake.reply_to(message)
    assert reply.content and reply.content != APOLOGY


async def test_unknown_commands_get_a_suggestion(fake: FakeDiscord, app: App) -> None:
    message = await fake.send_message(fake.world.alice, "!trian")
    reply = await fake.reply_to(message)
    assert "Did you mean `!train`?" in reply.content


async def test_a_voice_message_is_downloaded_transcribed_and_answered(fake: FakeDiscord, app: App) -> None:
    note = fake.add_attachment("voice-message.ogg", b"speech:what time is it", "audio/ogg", voice=True)
    message = await fake.send_message(fake.world.alice, "", attachments=[note], voice_message=True)
    transcript = await fake.reply_to(message)
    assert transcript.content == "🎙️ I heard: what time is it"
    assert fake.downloads == [note["url"].removeprefix(fake.base_url)]
    await fake.wait_for(lambda call: call.route == ADD_REACTION and call.path.endswith("/✅/@me"))
    reactions = [
        (call.route, call.path.split("/")[-2]) for call in fake.calls if call.route in (ADD_REACTION, REMOVE_REACTION)
    ]
    assert [route for route, _ in reactions] == [ADD_REACTION, REMOVE_REACTION, ADD_REACTION]


async def test_join_then_replies_are_spoken(fake: FakeDiscord, app: App) -> None:
    trained = await fake.send_message(
        fake.world.trainer, "!train hello => Hello to you too\nhi => Hello to you too\nbye => Bye.\nciao => Bye."
    )
    await fake.reply_to(trained)
    await settle(app.container)
    await fake.move_to_voice(fake.world.alice, fake.world.voice_channel.id)
    join = await fake.send_message(fake.world.alice, "!join")
    assert (await fake.reply_to(join)).content.startswith("Joined <#")
    mark = len(fake.voice.frames)
    question = await fake.send_message(fake.world.alice, "hello")
    assert (await fake.reply_to(question)).content == "Hello to you too"
    frames = await fake.voice.wait_for_silence(mark)
    sound = measure(decode_opus([frame.opus for frame in frames if frame.opus != OPUS_SILENCE]))
    expected = measure(decode_ogg(TONE))
    assert abs(sound.seconds - expected.seconds) < 0.05
    assert abs(sound.dominant_hz - 440) < 5
    assert [clip.pcm for clip in app.codec.encoded] == [b"Hello to you too"]
    leave = await fake.send_message(fake.world.alice, "!leave")
    assert (await fake.reply_to(leave)).content == "Left the voice channel."
    assert not [call for call in fake.calls_to(SEND_MESSAGE) if call.content == APOLOGY]
