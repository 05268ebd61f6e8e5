"""Jobs, results and refusals as JSON, for the trip through Redis. Bytes travel as base64; nothing is pickled.

A worker runs jobs that anyone able to write to the queue's Redis could have put there, and the bot reads
results the same way: JSON of known shapes only, so no payload can make either side run code.
"""

import base64
import json
from dataclasses import asdict
from typing import Any

from application.ports.model import TrainedArtifact
from application.ports.work import Job, SynthesiseJob, TestJob, TrainJob, TranscribeJob, WarmUpJob
from domain.errors import ParrotError
from domain.speech import EncodedAudio, Transcript
from domain.text import Code, Text
from domain.training import Dataset, EvaluationReport, Example

JSON = dict[str, Any]


class MalformedPayload(ValueError):
    """A job or result that is not one this version of Parrot writes."""


def dumps(document: JSON) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def loads(data: bytes) -> JSON:
    document = json.loads(data)
    if not isinstance(document, dict):
        raise MalformedPayload("not a JSON object")
    return document


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise MalformedPayload("bytes must be base64 text")
    return base64.b64decode(text, validate=True)


# --- jobs ----------------------------------------------------------------------------------------


def encode_job(job: Job[Any]) -> JSON:
    if isinstance(job, TranscribeJob):
        return {
            "kind": job.kind,
            "audio": _b64(job.audio),
            "filename": job.filename,
            "max_seconds": job.max_seconds,
            "language": job.language,
            "among": list(job.among),
        }
    if isinstance(job, SynthesiseJob):
        return {"kind": job.kind, "text": job.text, "language": job.language}
    if isinstance(job, TrainJob):
        return {"kind": job.kind, "dataset": _dataset(job.dataset), "backend": job.backend}
    if isinstance(job, TestJob):
        return {
            "kind": job.kind,
            "dataset": _dataset(job.dataset),
            "backend": job.backend,
            "folds": job.folds,
            "artifact": _artifact(job.artifact) if job.artifact is not None else None,
        }
    if isinstance(job, WarmUpJob):
        return {"kind": job.kind, "languages": list(job.languages)}
    raise TypeError(f"no JSON form for a {type(job).__name__}")


def decode_job(document: JSON) -> Job[Any]:
    try:
        kind = document["kind"]
        if kind == TranscribeJob.kind:
            language = document["language"]
            return TranscribeJob(
                _unb64(document["audio"]),
                str(document["filename"]),
                float(document["max_seconds"]),
                str(language) if language is not None else None,
                tuple(str(code) for code in document.get("among", ())),
            )
        if kind == SynthesiseJob.kind:
            return SynthesiseJob(str(document["text"]), str(document["language"]))
        if kind == TrainJob.kind:
            return TrainJob(_undataset(document["dataset"]), str(document["backend"]))
        if kind == TestJob.kind:
            artifact = document["artifact"]
            return TestJob(
                _undataset(document["dataset"]),
                str(document["backend"]),
                int(document["folds"]),
                _unartifact(artifact) if artifact is not None else None,
            )
        if kind == WarmUpJob.kind:
            languages = document["languages"]
            if not isinstance(languages, list):
                raise TypeError("languages must be a list")
            return WarmUpJob(tuple(str(language) for language in languages))
    except (KeyError, TypeError, ValueError) as error:
        raise MalformedPayload(f"a {document.get('kind')!r} job is malformed: {error}") from None
    raise MalformedPayload(f"unknown job kind {document.get('kind')!r}")


def with_deadline(document: JSON, deadline_ms: int | None) -> JSON:
    """The job's document carrying the moment its answer is no longer awaited (ms on Redis's clock), if any.

    Beside the job's own fields, not among them: a worker that knows no deadlines still reads the job.
    """
    return document if deadline_ms is None else document | {"deadline_ms": deadline_ms}


def deadline_of(document: JSON) -> int | None:
    deadline_ms = document.get("deadline_ms")
    if deadline_ms is None:
        return None
    if not isinstance(deadline_ms, int) or isinstance(deadline_ms, bool):
        raise MalformedPayload("a job's deadline is a whole number of milliseconds")
    return deadline_ms


def _dataset(dataset: Dataset) -> JSON:
    return {
        "name": dataset.name,
        "examples": [[e.text, e.intent, e.answer, e.line] for e in dataset.examples],
        "answers": dict(dataset.answers),
    }


def _undataset(document: JSON) -> Dataset:
    examples = tuple(
        Example(str(text), str(intent), None if answer is None else str(answer), None if line is None else int(line))
        for text, intent, answer, line in document["examples"]
    )
    answers = {str(k): str(v) for k, v in dict(document["answers"]).items()}
    return Dataset(str(document["name"]), examples, answers)


def _artifact(artifact: TrainedArtifact) -> JSON:
    return {"backend": artifact.backend, "data": _b64(artifact.data), "metrics": dict(artifact.metrics)}


def _unartifact(document: JSON) -> TrainedArtifact:
    metrics = {str(k): float(v) for k, v in dict(document["metrics"]).items()}
    return TrainedArtifact(str(document["backend"]), _unb64(document["data"]), metrics)


# --- results -------------------------------------------------------------------------------------


def encode_result(kind: str, result: object) -> JSON:
    if kind == TranscribeJob.kind and isinstance(result, Transcript):
        return asdict(result)
    if kind == SynthesiseJob.kind and isinstance(result, EncodedAudio):
        return {"data": _b64(result.data), "container": result.container, "duration_seconds": result.duration_seconds}
    if kind == TrainJob.kind and isinstance(result, TrainedArtifact):
        return _artifact(result)
    if kind == TestJob.kind and isinstance(result, EvaluationReport):
        return asdict(result)
    if kind == WarmUpJob.kind and result is None:
        return {}
    raise TypeError(f"no JSON form for a {type(result).__name__} from a {kind!r} job")


def decode_result(kind: str, document: JSON) -> object:
    try:
        if kind == TranscribeJob.kind:
            return Transcript(
                str(document["text"]),
                str(document["language"]),
                float(document["duration_seconds"]),
                str(document["backend"]),
            )
        if kind == SynthesiseJob.kind:
            return EncodedAudio(
                _unb64(document["data"]), str(document["container"]), float(document["duration_seconds"])
            )
        if kind == TrainJob.kind:
            return _unartifact(document)
        if kind == TestJob.kind:
            return _report(document)
        if kind == WarmUpJob.kind:
            return None
    except (KeyError, TypeError, ValueError) as error:
        raise MalformedPayload(f"a {kind!r} result is malformed: {error}") from None
    raise MalformedPayload(f"unknown job kind {kind!r}")


def _report(document: JSON) -> EvaluationReport:
    def optional(name: str) -> float | None:
        value = document.get(name)
        return None if value is None else float(value)

    return EvaluationReport(
        accuracy=float(document["accuracy"]),
        macro_f1=float(document["macro_f1"]),
        example_count=int(document["example_count"]),
        method=str(document["method"]),
        oos_precision=optional("oos_precision"),
        oos_recall=optional("oos_recall"),
        balanced_threshold=optional("balanced_threshold"),
        worst_intents=tuple((str(name), float(score)) for name, score in document["worst_intents"]),
        confused_pairs=tuple((str(a), str(b), int(n)) for a, b, n in document["confused_pairs"]),
        labels=tuple(str(label) for label in document["labels"]),
        confusion=tuple(tuple(int(cell) for cell in row) for row in document["confusion"]),
        intent_count=int(document.get("intent_count") or 0),
    )


# --- refusals ------------------------------------------------------------------------------------


class RemoteRefusal(ParrotError):
    """A ParrotError raised on a worker, told to the user here just as it was worded there."""

    def __init__(self, text: Text | str, kind: str) -> None:
        super().__init__(text)
        self.kind = kind


def encode_refusal(refusal: ParrotError) -> JSON:
    text = refusal.text
    parts: list[Any] = []
    for part in text.parts if isinstance(text, Text) else (text,):
        if isinstance(part, Code):
            parts.append({"code": part.text, "limit": part.limit})
        else:
            parts.append(part if isinstance(part, str) else str(Text((part,))))
    return {"type": type(refusal).__name__, "parts": parts}


def decode_refusal(document: JSON) -> RemoteRefusal:
    parts: list[str | Code] = []
    for part in document.get("parts", []):
        if isinstance(part, dict):
            parts.append(Code(str(part.get("code", "")), int(part.get("limit", 80))))
        else:
            parts.append(str(part))
    return RemoteRefusal(Text(tuple(parts)), str(document.get("type", "ParrotError")))
