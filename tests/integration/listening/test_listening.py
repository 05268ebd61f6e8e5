"""Listening through the fake Discord: members speak real clips, Parrot hears, answers, and speaks back.

The recogniser here is scripted by the length of what it hears (tests/integration/listening/test_real_speech.py
runs Whisper and piper); everything else is real: RTP, transport encryption, Opus, turns, the bus.
"""

from cli import settle
from support.fake_discord.audio import OPUS_SILENCE
from tests.integration.listening.conftest import FAQ, Listening


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
    assert transcript.content == "🎙️ **Admin**: Parrot, what's the weather like in New York"
    answer = await app.posted(lambda text: "Sunny" in text, since=mark)
    assert answer.reply_to is not None
    spoken = await app.fake.voice.wait_for_silence(frames_before)
    assert any(frame.opus != OPUS_SILENCE for frame in spoken)
    assert app.tts.spoken[-1][0] == "Sunny and warm."
    assert 2.0 < app.stt.heard[0] < 4.3
