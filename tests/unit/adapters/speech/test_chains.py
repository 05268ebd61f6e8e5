"""The fallback chain of recognisers and the language routing of voices, with hand-written fakes."""

from collections.abc import Sequence

import pytest

from adapters.speech.fallback import FallbackSpeechToText
from adapters.speech.routing import LanguageRoutingTextToSpeech
from domain.errors import BackendUnavailable
from domain.speech import AudioClip, Transcript

CLIP = AudioClip(pcm=b"\x01\x00" * 1600, sample_rate=16_000)


class FakeRecogniser:
    def __init__(self, name: str, text: str | None) -> None:
        self.name = name
        self.text = text  # None: unavailable
        self.heard: list[str | None] = []
        self.warmed = False

    async def warm_up(self) -> None:
        self.warmed = True

    async def transcribe(self, clip: AudioClip, language: str | None, among: Sequence[str] = ()) -> Transcript:
        self.heard.append(language)
        if self.text is None:
            raise BackendUnavailable(f"{self.name} is down")
        return Transcript(text=self.text, language="en", duration_seconds=clip.duration_seconds, backend=self.name)


class FakeVoice:
    def __init__(self, name: str) -> None:
        self.name = name
        self.spoken: list[tuple[str, str]] = []

    async def warm_up(self) -> None:
        pass

    async def synthesize(self, text: str, language: str) -> AudioClip:
        self.spoken.append((text, language))
        return CLIP


async def test_the_first_available_backend_answers() -> None:
    online, offline = FakeRecogniser("google", "from google"), FakeRecogniser("whisper", "from whisper")
    chain = FallbackSpeechToText([online, offline])
    transcript = await chain.transcribe(CLIP, "en-US")
    assert (transcript.text, transcript.backend) == ("from google", "google")
    assert offline.heard == []
    assert chain.name == "google+whisper"


async def test_an_unavailable_backend_hands_over_to_the_next() -> None:
    online, offline = FakeRecogniser("google", None), FakeRecogniser("whisper", "from whisper")
    transcript = await FallbackSpeechToText([online, offline]).transcribe(CLIP, "ru-RU")
    assert (transcript.text, transcript.backend) == ("from whisper", "whisper")
    assert online.heard == offline.heard == ["ru-RU"]


async def test_an_empty_transcript_hands_over_but_is_kept_if_nobody_hears_more() -> None:
    first, second = FakeRecogniser("google", ""), FakeRecogniser("sphinx", None)
    transcript = await FallbackSpeechToText([first, second]).transcribe(CLIP, None)
    assert transcript.is_empty
    assert transcript.backend == "google"


async def test_when_every_backend_is_down_the_chain_is_unavailable() -> None:
    chain = FallbackSpeechToText([FakeRecogniser("google", None), FakeRecogniser("whisper", None)])
    with pytest.raises(BackendUnavailable, match="unavailable right now"):
        await chain.transcribe(CLIP, "en-US")


async def test_warm_up_reaches_every_backend() -> None:
    backends = [FakeRecogniser("google", "x"), FakeRecogniser("whisper", "y")]
    await FallbackSpeechToText(backends).warm_up()
    assert all(backend.warmed for backend in backends)


def test_an_empty_chain_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        FallbackSpeechToText([])


async def test_english_goes_to_its_voice_and_other_languages_to_the_default() -> None:
    piper, espeak = FakeVoice("piper"), FakeVoice("espeak")
    router = LanguageRoutingTextToSpeech({"en": piper}, default=espeak)
    await router.synthesize("Hello", "en-US")
    await router.synthesize("Привет", "ru-RU")
    await router.synthesize("Hallo", "de")
    assert piper.spoken == [("Hello", "en-US")]
    assert espeak.spoken == [("Привет", "ru-RU"), ("Hallo", "de")]
    assert router.name == "piper+espeak"
    assert router.backend_for("EN_gb") is piper
