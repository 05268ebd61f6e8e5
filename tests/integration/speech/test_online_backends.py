"""Google speech recognition and gTTS against a local server that fails, stalls or answers like the real ones."""

import base64
import json
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from adapters.audio.codec import PyAvAudioCodec
from adapters.speech.fallback import FallbackSpeechToText
from adapters.speech.google import GoogleSpeechToText
from adapters.speech.gtts import GttsTextToSpeech
from adapters.speech.whisper import WhisperSpeechToText
from domain.errors import BackendUnavailable
from domain.speech import AudioClip
from support.shared_data import shared_data
from tests.integration.speech.loopback import Loopback, loopback_server

TIMEOUT = 0.5
CLIP = AudioClip(pcm=(b"\x00\x10\x00\xf0" * 8000), sample_rate=16_000)  # one second of a square wave


async def google_answer(_request: web.Request) -> web.StreamResponse:
    # The legacy API answers one JSON object per line, the first often empty.
    best = {"transcript": "one two three", "confidence": 0.93}
    lines = [{"result": []}, {"result": [{"alternative": [best, {"transcript": "1 2 3"}], "final": True}]}]
    return web.Response(text="\n".join(json.dumps(line) for line in lines) + "\n")


async def google_hears_nothing(_request: web.Request) -> web.StreamResponse:
    return web.Response(text='{"result":[]}\n')


async def garbage(_request: web.Request) -> web.StreamResponse:
    return web.Response(text="<html>not what you expected</html>")


async def gtts_answer(_request: web.Request) -> web.StreamResponse:
    # What translate.google.com's batchexecute RPC returns: the MP3, base64-encoded, inside JSON inside JSON.
    audio = base64.b64encode(shared_data("speech", "en_jfk.mp3").read_bytes()).decode()
    return web.Response(text=')]}\'\n\n[["wrb.fr","jQ1olc","[\\"' + audio + '\\"]",null,null,null,"generic"]]\n')


@pytest.fixture
async def server() -> AsyncIterator[Loopback]:
    routes = {"/google": google_answer, "/silence": google_hears_nothing, "/garbage": garbage, "/gtts": gtts_answer}
    async with loopback_server(routes) as loopback:
        yield loopback


@pytest.fixture
def empty_temp_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def google(server: Loopback, path: str) -> GoogleSpeechToText:
    return GoogleSpeechToText(endpoint=server.url(path), timeout=TIMEOUT)


async def test_google_answers_with_the_best_transcript(server: Loopback) -> None:
    transcript = await google(server, "/google").transcribe(CLIP, "en-GB")
    assert (transcript.text, transcript.language, transcript.backend) == ("one two three", "en", "google")
    path, query, body = server.requests[-1]
    assert path == "/google"
    assert "lang=en-GB" in query
    assert body.startswith(b"fLaC")  # the audio travels as FLAC


async def test_google_without_a_language_asks_for_the_default(server: Loopback) -> None:
    transcript = await google(server, "/google").transcribe(CLIP, None)
    assert transcript.language == "en"
    assert "lang=en-US" in server.requests[-1][1]


async def test_google_hearing_nothing_is_an_empty_transcript(server: Loopback) -> None:
    assert (await google(server, "/silence").transcribe(CLIP, "en-US")).is_empty


@pytest.mark.parametrize("path", ["/fail", "/garbage"])
async def test_google_failing_is_unavailable(server: Loopback, path: str) -> None:
    with pytest.raises(BackendUnavailable, match="Google speech recognition"):
        await google(server, path).transcribe(CLIP, "en-US")


async def test_google_stalling_is_unavailable_after_the_timeout(server: Loopback) -> None:
    started = time.perf_counter()
    with pytest.raises(BackendUnavailable, match="Google speech recognition"):
        await google(server, "/stall").transcribe(CLIP, "en-US")
    assert time.perf_counter() - started < TIMEOUT + 2


async def test_google_unreachable_is_unavailable() -> None:
    recogniser = GoogleSpeechToText(endpoint="http://127.0.0.1:9/speech", timeout=TIMEOUT)
    with pytest.raises(BackendUnavailable, match="could not be reached"):
        await recogniser.transcribe(CLIP, "en-US")


@pytest.mark.slow
async def test_whisper_takes_over_when_google_fails(
    server: Loopback, whisper: WhisperSpeechToText, codec: PyAvAudioCodec
) -> None:
    speech = await codec.decode(shared_data("speech", "en_one_two_three.wav").read_bytes(), "a.wav", 60)
    chain = FallbackSpeechToText([google(server, "/fail"), whisper])
    transcript = await chain.transcribe(speech, "en-US")
    assert transcript.backend == "whisper"
    assert transcript.text


async def test_gtts_answer_is_decoded_to_pcm(server: Loopback) -> None:
    clip = await GttsTextToSpeech(endpoint=server.url("/gtts"), timeout=TIMEOUT).synthesize("one two three", "en-US")
    assert clip.channels == 1
    assert clip.duration_seconds == pytest.approx(11.0, abs=0.1)
    path, _query, body = server.requests[-1]
    assert path == "/gtts"
    assert b"one%20two%20three" in body


@pytest.mark.parametrize("path", ["/fail", "/garbage", "/stall"])
async def test_gtts_failing_is_unavailable_and_leaves_no_file(
    server: Loopback, empty_temp_dir: Path, path: str
) -> None:
    started = time.perf_counter()
    with pytest.raises(BackendUnavailable, match="Google's text to speech"):
        await GttsTextToSpeech(endpoint=server.url(path), timeout=TIMEOUT).synthesize("Hello", "en")
    assert time.perf_counter() - started < TIMEOUT + 2
    assert list(empty_temp_dir.iterdir()) == []


async def test_gtts_refuses_an_unknown_language_without_asking(server: Loopback) -> None:
    with pytest.raises(BackendUnavailable, match="no voice for the language 'xx'"):
        await GttsTextToSpeech(endpoint=server.url("/gtts"), timeout=TIMEOUT).synthesize("Hello", "xx")
    assert server.requests == []
