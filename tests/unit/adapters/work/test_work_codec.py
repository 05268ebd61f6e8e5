"""Jobs, results and refusals survive the trip through Redis as JSON; anything else is refused, never run."""

import json

import pytest

from adapters.work import codec
from application.ports.model import TrainedArtifact
from application.ports.work import SynthesiseJob, TestJob, TrainJob, TranscribeJob, WarmUpJob
from domain.errors import InvalidAudio
from domain.speech import EncodedAudio, Transcript
from domain.text import Code, say
from domain.training import Dataset, EvaluationReport, Example

DATASET = Dataset(
    "faq.csv",
    (Example("hi", "greet", "Hello!", 2), Example("naïve café ☕", "order", None, None)),
    {"greet": "Hello!"},
)
ARTIFACT = TrainedArtifact("embedded", b"\x00\xffmodel", {"accuracy": 0.9})


@pytest.mark.parametrize(
    "job",
    [
        TranscribeJob(b"\x00OggS\xff", "voice-message.ogg", 600.0, "ru-RU"),
        TranscribeJob(b"speech:x", "a.ogg", 1.5, None),
        TranscribeJob(b"speech:x", "a.ogg", 1.5, None, ("en", "ru")),
        SynthesiseJob("Hello there.", "en-US"),
        TrainJob(DATASET, "hybrid"),
        TestJob(DATASET, "tfidf", 3, ARTIFACT),
        TestJob(DATASET, "tfidf"),
        WarmUpJob(("en-US", "ru")),
        WarmUpJob(),
    ],
)
def test_every_job_kind_round_trips_through_json_text(job: object) -> None:
    wire = codec.dumps(codec.encode_job(job))  # type: ignore[arg-type]
    assert codec.decode_job(codec.loads(wire)) == job


def test_results_round_trip() -> None:
    report = EvaluationReport(
        0.5, 0.4, 4, "test data", 0.5, None, 0.3, (("greet", 0.5),), (("greet", "order", 2),), ("greet",), ((1, 2),)
    )
    cases: list[tuple[str, object]] = [
        ("transcribe", Transcript("hello", "en", 1.5, "whisper")),
        ("synthesise", EncodedAudio(b"OggS\x00", "ogg_opus", 0.8)),
        ("train", ARTIFACT),
        ("test", report),
        ("warm_up", None),
    ]
    for kind, result in cases:
        wire = codec.dumps(codec.encode_result(kind, result))
        assert codec.decode_result(kind, codec.loads(wire)) == result


def test_a_refusal_keeps_its_words_and_its_code_parts() -> None:
    refusal = InvalidAudio(say("The file ", Code("x`y.ogg", 40), " is not audio."))
    back = codec.decode_refusal(codec.loads(codec.dumps(codec.encode_refusal(refusal))))
    assert back.text == refusal.text and back.kind == "InvalidAudio"


@pytest.mark.parametrize(
    "document",
    [
        {"kind": "exec", "code": "import os"},
        {"kind": "transcribe", "audio": "not base64!", "filename": "a", "max_seconds": 1, "language": None},
        {"kind": "train", "dataset": {"name": "x"}, "backend": "tfidf"},
        {"kind": "synthesise"},
        {"kind": "warm_up", "languages": "en-US"},
    ],
)
def test_a_malformed_or_unknown_job_is_refused(document: dict[str, object]) -> None:
    with pytest.raises(codec.MalformedPayload):
        codec.decode_job(document)


def test_only_json_objects_are_read() -> None:
    with pytest.raises(codec.MalformedPayload):
        codec.loads(json.dumps([1, 2]).encode())
    with pytest.raises(ValueError):
        codec.loads(b"\x80\x04\x95pickle")
