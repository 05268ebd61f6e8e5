"""A real ParrotBot, wired to the real application, listening through the socket-level fake Discord."""

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.discord import ParrotBot
from adapters.discord.listening.options import ListeningOptions
from bootstrap import Container
from cli import settle, shutdown
from domain.speech import AudioClip, EncodedAudio
from support import fakes
from support.discord_harness import build_app_bot, started
from support.fake_discord import FakeDiscord
from support.fake_discord.audio import make_tone_ogg, opus_frames
from support.fake_discord.server import SEND_MESSAGE, Call
from support.fake_discord.voice import Mouth
from support.fake_discord.world import User
from support.shared_data import shared_data

WEATHER = (1.5, 4.3, "Parrot, what's the weather like in New York")
TIMER = (4.31, 6.0, "set a timer for 3 hours and 10 minutes")
FAQ = (
    "what's the weather like in new york => Sunny and warm.\nweather in new york => Sunny and warm.\n"
    "set a timer for 3 hours and 10 minutes => I can't set timers yet.\nset a timer => I can't set timers yet."
)


TONE_SECONDS = 3.0


class ToneCodec(fakes.FakeCodec):
    """The fake codec, except that what it encodes for voice is real Ogg/Opus (a tone) the fake can decode."""

    def __init__(self) -> None:
        super().__init__()
        self.tone = make_tone_ogg(seconds=TONE_SECONDS, frequency=440.0)

    async def encode_for_voice(self, clip: AudioClip) -> EncodedAudio:
        self.encoded.append(clip)
        return EncodedAudio(self.tone, "ogg_opus", TONE_SECONDS)


@dataclass
class Listening:
    fake: FakeDiscord
    bot: ParrotBot
    container: Container
    stt: fakes.ScriptedSpeechToText

    @property
    def tts(self) -> fakes.FakeTextToSpeech:
        tts = self.container.speech.tts()
        assert isinstance(tts, fakes.FakeTextToSpeech)
        return tts

    def mouth(self, user: User, ssrc: int) -> Mouth:
        return Mouth(user.id, ssrc)

    async def posted(self, predicate: Callable[[str], bool], *, since: int = 0, timeout: float = 10.0) -> Call:
        return await self.fake.wait_for(
            lambda call: call.route == SEND_MESSAGE and predicate(call.content), since=since, timeout=timeout
        )

    def posts(self, since: int = 0) -> list[str]:
        return [call.content for call in self.fake.calls[since:] if call.route == SEND_MESSAGE]

    async def turn_on(self, user: User | None = None) -> None:
        world = self.fake.world
        user = user or world.admin
        await self.fake.move_to_voice(user, world.voice_channel.id)
        mark = len(self.fake.calls)
        await self.fake.send_message(user, "!listen on")
        await self.posted(lambda text: "I'm listening" in text, since=mark)
        assert self.fake.voice.bot_address is not None


def clip(name: str, seconds: float | None = None) -> list[bytes]:
    return opus_frames(str(shared_data("speech", name)), seconds)


@pytest.fixture(scope="session")
def weather() -> list[bytes]:
    return clip("en_s2p_weather_new_york.wav")


@pytest.fixture(scope="session")
def timer() -> list[bytes]:
    return clip("en_fw_stereo_left.wav")


def options(**changes: object) -> ListeningOptions:
    defaults: dict[str, object] = {"tick_seconds": 0.02, "keepalive_seconds": 3600.0}
    return ListeningOptions(**(defaults | changes))  # type: ignore[arg-type]


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Listening]:
    async with FakeDiscord() as fake:
        stt = fakes.ScriptedSpeechToText([WEATHER, TIMER])
        bot, container = build_app_bot(fake, tmp_path, stt=stt, codec=ToneCodec(), listening=options())
        async with started(bot, fake):
            yield Listening(fake, bot, container, stt)
            await settle(container)
            await shutdown(container)
