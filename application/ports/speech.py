"""Hearing and speaking. Adapters do their heavy work off the event loop."""

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from domain.speech import AudioClip, EncodedAudio, Transcript


@runtime_checkable
class AudioCodec(Protocol):
    async def decode(self, data: bytes, filename: str, max_seconds: float) -> AudioClip:
        """16 kHz mono PCM; raises InvalidAudio, UnsupportedAudio, or TooLarge past `max_seconds`."""
        ...

    async def encode_for_voice(self, clip: AudioClip) -> EncodedAudio:
        """Audio a voice channel plays without more work (Ogg/Opus)."""
        ...

    async def encode_for_hearing(self, clip: AudioClip) -> EncodedAudio:
        """The clip as a TranscribeJob carries it to whoever hears it: a container `decode` reads back sample for
        sample (WAV), so a spoken turn costs no encoding before it is heard."""
        ...


@runtime_checkable
class SpeechToText(Protocol):
    name: str

    async def warm_up(self) -> None:
        """Load models now rather than on first use."""
        ...

    async def transcribe(self, clip: AudioClip, language: str | None, among: Sequence[str] = ()) -> Transcript:
        """`language` is a tag such as `en-US`, or None to detect it; raises BackendUnavailable.

        `among`: with `language` None, the languages to detect among (a space's own list); empty: the backend's.
        Backends that cannot detect ignore it.
        """
        ...


@runtime_checkable
class TextToSpeech(Protocol):
    name: str

    async def warm_up(self) -> None: ...

    async def synthesize(self, text: str, language: str) -> AudioClip: ...


@runtime_checkable
class VoicesByLanguage(Protocol):
    """A text-to-speech that can ready the voices of some languages only (one voice per language, routed)."""

    async def warm_up_languages(self, languages: Sequence[str]) -> None:
        """Load the voices that speak `languages` (tags such as `en-US`; empty: every voice) now."""
        ...


@runtime_checkable
class EndOfTurn(Protocol):
    """Judges from a turn's audio, at a short pause, whether the speaker has finished what they were saying.

    It hears how the sentence ends (words, intonation), so a pause in the middle of a thought is not taken for
    its end. Adapters run their model off the event loop.
    """

    name: str

    async def warm_up(self) -> None:
        """Load the model now rather than at the first pause."""
        ...

    async def finished(self, clip: AudioClip) -> bool:
        """True when the utterance in `clip` (its last seconds count most) sounds complete."""
        ...
