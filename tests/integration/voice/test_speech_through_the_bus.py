"""The real codec, Whisper and Piper behind the bus, driven by the fake-Discord driver."""

from pathlib import Path

import pytest

from domain.messages import Status
from support.app import AppHarness, build_app
from support.shared_data import shared_data

FAQ = "hello => Hello there. Nice to meet you.\nhi => Hello there. Nice to meet you.\nbye => Bye.\nciao => Bye."


@pytest.fixture(scope="module")
def speech_app(tmp_path_factory: pytest.TempPathFactory) -> AppHarness:
    return build_app(tmp_path_factory.mktemp("data"), real_speech=True)


@pytest.mark.slow
async def test_a_voice_message_is_heard_and_answered(speech_app: AppHarness) -> None:
    data = shared_data("speech", "en_jfk.ogg").read_bytes()
    clip = speech_app.discord.attachment("voice-message.ogg", data, "audio/ogg", voice_message=True)
    message = await speech_app.discord.say("", attachments=(clip,))
    transcript, answer = speech_app.discord.replies_to(message)
    assert transcript.text.startswith("🎙️ I heard: ")
    assert "ask not what your country can do for you" in transcript.text.lower()
    assert answer.text.startswith("I haven't been taught anything yet")
    assert [s for m, s in speech_app.discord.statuses if m == message.id] == [Status.WORKING, Status.DONE]


@pytest.mark.slow
async def test_broken_audio_gets_a_clear_reply(speech_app: AppHarness) -> None:
    data = shared_data("speech", "en_jfk.ogg").read_bytes()
    for name, payload in [
        ("cut.flac", shared_data("speech", "en_jfk.flac").read_bytes()[:300]),
        ("noise.ogg", data[:40]),
    ]:
        clip = speech_app.discord.attachment(name, payload, "audio/ogg")
        message = await speech_app.discord.say("", attachments=(clip,))
        reply = speech_app.discord.replies_to(message)[0].text
        assert name in reply, reply
        assert (message.id, Status.FAILED) in speech_app.discord.statuses


@pytest.mark.slow
async def test_a_reply_is_spoken_in_the_voice_channel_and_can_be_understood(speech_app: AppHarness) -> None:
    await speech_app.discord.say(f"!train {FAQ}")
    await speech_app.settle()
    await speech_app.discord.say("hello", voice_channel_id=55)
    await speech_app.settle()
    played = speech_app.discord.played
    assert [p.channel_id for p in played] == [55, 55]  # one sentence at a time
    assert all(p.audio.container == "ogg_opus" and p.audio.data.startswith(b"OggS") for p in played)
    heard = []
    for piece in played:
        clip = await speech_app.container.audio.codec().decode(piece.audio.data, "spoken.ogg", 60)
        heard.append((await speech_app.container.speech.stt().transcribe(clip, "en-US")).text.lower())
    assert "hello there" in heard[0] and "nice to meet you" in heard[1]


def test_the_configured_backends_are_the_offline_defaults(tmp_path: Path) -> None:
    app = build_app(tmp_path, real_speech=True)
    assert app.container.speech.stt().name == "whisper"
    assert type(app.container.speech.tts()).__name__ == "LanguageRoutingTextToSpeech"
    sphinx = build_app(
        tmp_path, real_speech=True, speech={"stt": "sphinx", "stt_fallback": ["whisper"], "tts": "espeak"}
    )
    assert sphinx.container.speech.stt().name == "sphinx+whisper"
    assert sphinx.container.speech.tts().name == "espeak"
