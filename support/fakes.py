"""In-memory fakes of every port: they keep what they were given and record what they were asked."""

import asyncio
import io
import re
import wave
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.audio.wav import encode_wav
from application.jobs.executor import JobExecutor
from application.learning.text_matching import normalise, similarity
from application.ports.model import ProgressCallback, TrainedArtifact
from application.ports.review import ReviewItem, ReviewStore
from application.ports.storage import (
    DatasetInfo,
    FeedbackLog,
    ForgetRequests,
    Forgotten,
    IndexedCorrection,
    SpaceSettings,
    StoredFile,
    VoiceTranscriptLog,
)
from application.ports.work import Job, T
from application.review.forgetting import RecordOwners, records_to_forget
from domain.dataset_rules import normalise_text
from domain.errors import (
    BackendUnavailable,
    InvalidAudio,
    InvalidDataset,
    NotFound,
    PathOutsideRoot,
    TooLarge,
    WorkUnavailable,
)
from domain.feedback import Correction, Feedback, ThumbsDown
from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.spaces import Space
from domain.speech import AudioClip, EncodedAudio, Transcript
from domain.training import OUT_OF_SCOPE, Dataset, EvaluationReport, Example, ModelVersion, Prediction
from domain.voice_turns import VoiceTurn


class FixedClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        self.current += timedelta(seconds=1)
        return self.current


class InMemoryFiles:
    """FileVault over a dict of {space: {path in the space: bytes}}; files are read from under `files/`."""

    def __init__(self) -> None:
        self.files: dict[Space, dict[str, bytes]] = {}

    def put(self, space: Space, path: str, data: bytes) -> None:
        """A file under the space's `files/`, as a user would have put it there."""
        self.files.setdefault(space, {})[f"files/{path}"] = data

    async def read_file(self, space: Space, path: str, max_bytes: int) -> StoredFile:
        if ".." in path.split("/") or path.startswith("/"):
            raise PathOutsideRoot(path)
        data = self.files.get(space, {}).get(f"files/{path}")
        if data is None:
            raise NotFound(f"There is no file `{path}` here.")
        if len(data) > max_bytes:
            raise TooLarge(f"The file `{path}`", len(data), max_bytes)
        return StoredFile(path.rsplit("/", 1)[-1], data)

    async def archive_directory(self, space: Space, path: str, max_bytes: int, max_entries: int) -> StoredFile:
        if ".." in path.split("/") or path.startswith("/"):
            raise PathOutsideRoot(path)
        folder = path.rstrip("/") + "/"
        inside = {k: v for k, v in self.files.get(space, {}).items() if k.startswith(folder)}
        if not inside:
            raise NotFound(f"There is no directory `{path}` here.")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, content in sorted(inside.items()):
                archive.writestr(name[len(folder) :], content)
        data = buffer.getvalue()
        if len(data) > max_bytes:
            raise TooLarge(f"The archive of `{path}`", len(data), max_bytes)
        return StoredFile(f"{path}.zip", data)


class InMemoryDatasets:
    def __init__(self) -> None:
        self.datasets: dict[Space, dict[str, bytes]] = {}

    async def list_datasets(self, space: Space) -> Sequence[DatasetInfo]:
        return [DatasetInfo(name, len(data)) for name, data in sorted(self.datasets.get(space, {}).items())]

    async def read_dataset(self, space: Space, name: str, max_bytes: int) -> StoredFile:
        data = self.datasets.get(space, {}).get(name)
        if data is None:
            raise NotFound(f"There is no dataset `{name}`.")
        if len(data) > max_bytes:
            raise TooLarge(f"The dataset `{name}`", len(data), max_bytes)
        return StoredFile(name, data)

    async def save_dataset(self, space: Space, name: str, data: bytes) -> str:
        stored = self.datasets.setdefault(space, {})
        stem, dot, suffix = name.rpartition(".")
        candidates = [name, *(f"{stem}-{n}.{suffix}" if dot else f"{name}-{n}" for n in range(2, 100))]
        for candidate in candidates:
            if stored.get(candidate, data) == data:  # free, or the same data again
                stored[candidate] = data
                return candidate
        raise AssertionError("too many versions")


class InMemorySettings:
    def __init__(self) -> None:
        self.settings: dict[Space, SpaceSettings] = {}

    async def load(self, space: Space) -> SpaceSettings:
        return self.settings.get(space, SpaceSettings())

    async def save(self, space: Space, settings: SpaceSettings) -> None:
        self.settings[space] = settings

    async def update(self, space: Space, change: Callable[[SpaceSettings], SpaceSettings]) -> SpaceSettings:
        self.settings[space] = change(self.settings.get(space, SpaceSettings()))
        return self.settings[space]


class InMemoryFeedbackLog:
    def __init__(self) -> None:
        self.feedback: dict[Space, list[Feedback]] = {}
        self.corrections: dict[Space, list[Correction]] = {}
        self.thumbs_down: dict[Space, list[ThumbsDown]] = {}

    async def append_feedback(self, space: Space, feedback: Feedback) -> None:
        self.feedback.setdefault(space, []).append(feedback)

    async def list_feedback(self, space: Space, limit: int) -> Sequence[Feedback]:
        return self.feedback.get(space, [])[-limit:]

    async def append_correction(self, space: Space, correction: Correction) -> None:
        self.corrections.setdefault(space, []).append(correction)

    async def append_thumbs_down(self, space: Space, rating: ThumbsDown) -> None:
        self.thumbs_down.setdefault(space, []).append(rating)

    async def list_thumbs_down(self, space: Space, limit: int) -> Sequence[ThumbsDown]:
        return self.thumbs_down.get(space, [])[-limit:]

    async def list_corrections(self, space: Space) -> Sequence[Correction]:
        return list(self.corrections.get(space, []))

    async def list_indexed_corrections(self, space: Space) -> Sequence[IndexedCorrection]:
        return [
            IndexedCorrection(normalise(c.user_text), c.correction, c.author_id, c.created_at)
            for c in self.corrections.get(space, [])
        ]

    async def forget_author(self, space: Space, author_id: UserId) -> Forgotten:
        feedback = self.feedback.get(space, [])
        corrections = self.corrections.get(space, [])
        ratings = self.thumbs_down.get(space, [])
        self.feedback[space] = [item for item in feedback if item.author_id != author_id]
        self.corrections[space] = [item for item in corrections if item.author_id != author_id]
        self.thumbs_down[space] = [item for item in ratings if author_id not in (item.author_id, item.asker_id)]
        return Forgotten(
            len(feedback) - len(self.feedback[space]),
            len(corrections) - len(self.corrections[space]),
            len(ratings) - len(self.thumbs_down[space]),
        )

    async def retract_correction(self, space: Space, user_text: str, at: datetime) -> None:
        key = normalise_text(user_text)
        kept = [c for c in self.corrections.get(space, []) if normalise_text(c.user_text) != key]
        self.corrections[space] = kept


class InMemoryVoiceLog:
    def __init__(self, per_space: int = 1000) -> None:
        self.turns: dict[Space, list[VoiceTurn]] = {}
        self.per_space = per_space

    async def append_turn(self, space: Space, turn: VoiceTurn) -> None:
        turns = self.turns.setdefault(space, [])
        turns.append(turn)
        if len(turns) > 2 * self.per_space:
            del turns[: len(turns) - self.per_space]  # as the file store compacts

    async def list_turns(self, space: Space, limit: int) -> Sequence[VoiceTurn]:
        return self.turns.get(space, [])[-limit:] if limit > 0 else []

    async def forget_speaker(self, space: Space, speaker_id: UserId) -> int:
        turns = self.turns.get(space, [])
        self.turns[space] = [turn for turn in turns if turn.speaker_id != speaker_id]
        return len(turns) - len(self.turns[space])


class InMemoryForgetRequests:
    def __init__(self) -> None:
        self.noted: dict[tuple[Space, UserId], datetime] = {}

    async def note(self, space: Space, member: UserId, at: datetime) -> None:
        self.noted[(space, member)] = at

    async def last(self, space: Space, member: UserId) -> datetime | None:
        return self.noted.get((space, member))


class StoreByStoreMemberRecords:
    """`forget me` over the other stores, one after the other: the in-memory stores' stand-in for the database's
    one transaction (and the files' in bench/storage.py, which have none)."""

    def __init__(
        self, feedback: FeedbackLog, review: ReviewStore, voice: VoiceTranscriptLog, forgotten: ForgetRequests
    ) -> None:
        self.feedback, self.review, self.voice, self.forgotten = feedback, review, voice, forgotten

    async def forget_member(self, spaces: Sequence[Space], member: UserId, at: datetime) -> Forgotten:
        forgotten = Forgotten()
        for space in spaces:
            await self.forgotten.note(space, member, at)
            records = list(await self.review.load(space))
            doomed = set(records_to_forget([RecordOwners(r.text, r.author_id, r.rater_id) for r in records], member))
            if doomed:
                await self.review.rewrite(space, [item for n, item in enumerate(records) if n not in doomed])
            forgotten += await self.feedback.forget_author(space, member)
            forgotten += Forgotten(voice_turns=await self.voice.forget_speaker(space, member))
        return forgotten


class InMemoryReviewStore:
    def __init__(self) -> None:
        self.records: dict[Space, list[ReviewItem]] = {}

    async def load(self, space: Space) -> Sequence[ReviewItem]:
        return list(self.records.get(space, []))

    async def append(self, space: Space, item: ReviewItem) -> None:
        self.records.setdefault(space, []).append(item)

    async def rewrite(self, space: Space, items: Sequence[ReviewItem]) -> None:
        self.records[space] = list(items)


class StaticInstructions:
    def __init__(self, text: str = "# Instructions\nSay `!hi`.") -> None:
        self.text = text

    async def read_instructions(self) -> StoredFile:
        return StoredFile("instructions.md", self.text.encode())


@dataclass
class InMemoryModelStore:
    versions: dict[Space, list[tuple[ModelVersion, TrainedArtifact]]] = field(default_factory=dict)
    reports: list[tuple[Space, int | None, EvaluationReport, bytes]] = field(default_factory=list)
    settings: InMemorySettings | None = None  # where `activate` records the active version

    async def publish(
        self, space: Space, artifact: TrainedArtifact, version: ModelVersion, activate: bool = False
    ) -> ModelVersion:
        stored = self.versions.setdefault(space, [])
        published = ModelVersion(
            len(stored) + 1,
            artifact.backend,
            version.dataset_name,
            version.dataset_hash,
            version.created_at,
            version.example_count,
            version.intents,
            dict(version.metrics),
        )
        stored.append((published, artifact))
        if activate:
            if self.settings is None:
                raise AssertionError("InMemoryModelStore needs the settings store to activate a version")
            await self.settings.update(space, lambda settings: replace(settings, active_model=published.number))
        return published

    async def list_versions(self, space: Space) -> Sequence[ModelVersion]:
        return [version for version, _ in self.versions.get(space, [])]

    async def load_artifact(self, space: Space, number: int) -> TrainedArtifact:
        for version, artifact in self.versions.get(space, []):
            if version.number == number:
                return artifact
        raise NotFound(f"Model version {number} is missing.")

    async def save_report(self, space: Space, number: int | None, report: EvaluationReport, png: bytes) -> None:
        self.reports.append((space, number, report, png))

    async def load_report(self, space: Space, number: int | None) -> tuple[EvaluationReport, bytes] | None:
        for stored_space, stored_number, report, png in reversed(self.reports):
            if stored_space == space and stored_number == number:
                return report, png
        return None


class LineParser:
    """DatasetParser for `question => answer` lines: questions sharing an answer form one intent.

    Also plain CSV under a `text,intent` or `text,intent,answer` header (no quoting), where answers may be missing.
    """

    def parse(self, data: bytes, filename: str) -> Dataset:
        lines = data.decode("utf-8", errors="replace").splitlines()
        if lines and lines[0].strip() in ("text,intent", "text,intent,answer"):
            return self._csv(lines, filename)
        examples: list[Example] = []
        answers: dict[str, str] = {}
        problems: list[str] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            question, arrow, answer = line.partition("=>")
            if not arrow or not question.strip() or not answer.strip():
                problems.append(f"line {number}: expected `question => answer`")
                continue
            intent = re.sub(r"\W+", "_", answer.strip().lower()).strip("_")[:30] or "intent"
            answers[intent] = answer.strip()
            examples.append(Example(question.strip(), intent, answer.strip(), number))
        if problems or not examples:
            raise InvalidDataset(f"`{filename}` was not used for training:", tuple(problems) or ("it has no examples",))
        return Dataset(filename, tuple(examples), answers)

    @staticmethod
    def _csv(lines: list[str], filename: str) -> Dataset:
        examples: list[Example] = []
        answers: dict[str, str] = {}
        for number, line in enumerate(lines[1:], start=2):
            text, _, rest = line.partition(",")
            intent, _, answer = rest.partition(",")
            if not text.strip() or not intent.strip():
                raise InvalidDataset(
                    f"`{filename}` was not used for training:", (f"line {number}: expected text,intent",)
                )
            if answer.strip():
                answers[intent.strip()] = answer.strip()
            examples.append(Example(text.strip(), intent.strip(), answer.strip() or None, number))
        return Dataset(filename, tuple(examples), answers)


class KeywordModel:
    """Predicts the intent of the most similar training example (word overlap)."""

    def __init__(self, dataset: Dataset, threshold: float) -> None:
        self._dataset = dataset
        self._threshold = threshold

    async def predict(self, text: str) -> Prediction:
        best = max(self._dataset.examples, key=lambda e: similarity(text, e.text))
        score = similarity(text, best.text)
        confident = score >= self._threshold and best.intent != OUT_OF_SCOPE
        return Prediction(best.intent, score, self._dataset.answers.get(best.intent), confident)

    async def predict_many(self, texts: Sequence[str]) -> Sequence[Prediction]:
        return [await self.predict(text) for text in texts]


class FakeModelBackend:
    """Trains instantly (or after `delay`), or fails when told to; artifacts keep the dataset itself."""

    def __init__(self, name: str = "fake", threshold: float = 0.5, delay: float = 0.0) -> None:
        self.name = name
        self.threshold = threshold
        self.delay = delay
        self.fail_with: Exception | None = None
        self.trained: list[Dataset] = []
        self._datasets: dict[bytes, Dataset] = {}

    async def train(self, dataset: Dataset, progress: ProgressCallback) -> TrainedArtifact:
        progress(0.5, "fitting")
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_with is not None:
            raise self.fail_with
        self.trained.append(dataset)
        key = f"{len(self._datasets)}".encode()
        self._datasets[key] = dataset
        progress(1.0, "done")
        return TrainedArtifact(self.name, key, {"examples": float(len(dataset.examples))})

    async def load(self, artifact: TrainedArtifact) -> KeywordModel:
        return KeywordModel(self._datasets[artifact.data], self.threshold)


class FakeRenderer:
    async def confusion_png(self, report: EvaluationReport) -> bytes:
        return b"\x89PNG fake " + ",".join(report.labels).encode()


class FakeCodec:
    """Decodes `b"speech:<text>"` into a clip whose PCM is the text, and WAV (what it encodes for hearing) into
    its samples; anything else is invalid."""

    def __init__(self) -> None:
        self.encoded: list[AudioClip] = []

    async def decode(self, data: bytes, filename: str, max_seconds: float) -> AudioClip:
        if data.startswith(b"RIFF"):
            with wave.open(io.BytesIO(data), "rb") as reader:
                rate, channels = reader.getframerate(), reader.getnchannels()
            # The data chunk whole: a test's "PCM" may be text of an odd length, which whole frames would cut.
            start = data.index(b"data", 12) + 8
            size = int.from_bytes(data[start - 4 : start], "little")
            clip = AudioClip(data[start : start + size], rate, channels)
            if not clip.pcm:
                raise InvalidAudio(f"`{filename}` holds no sound I could decode.")
            if clip.duration_seconds > max_seconds:
                raise TooLarge(f"`{filename}`", int(clip.duration_seconds), int(max_seconds))
            return clip
        if not data.startswith(b"speech:"):
            raise InvalidAudio(f"`{filename}` is not audio I can decode.")
        seconds = data.count(b" ") + 1.0
        if seconds > max_seconds:
            raise TooLarge(f"`{filename}`", int(seconds), int(max_seconds))
        return AudioClip(data[len(b"speech:") :], 16000)

    async def encode_for_voice(self, clip: AudioClip) -> EncodedAudio:
        self.encoded.append(clip)
        return EncodedAudio(b"OggS" + clip.pcm, "ogg_opus", clip.duration_seconds)

    async def encode_for_hearing(self, clip: AudioClip) -> EncodedAudio:
        # The real codec's WAV, so a fake-heard turn travels exactly as a real one would.
        return encode_wav(clip)


class FakeSpeechToText:
    name = "fake-stt"

    def __init__(self) -> None:
        self.down = False
        self.delay = 0.0
        self.languages: list[str | None] = []
        self.among: list[tuple[str, ...]] = []
        self.warmed = 0

    async def warm_up(self) -> None:
        self.warmed += 1

    async def transcribe(self, clip: AudioClip, language: str | None, among: Sequence[str] = ()) -> Transcript:
        self.languages.append(language)
        self.among.append(tuple(among))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.down:
            raise BackendUnavailable("Speech recognition is unavailable right now; please try again later.")
        return Transcript(clip.pcm.decode(), language or "en", clip.duration_seconds, self.name)


class ScriptedSpeechToText:
    """Hears real audio by its length: each script line is (shortest, longest seconds, what was said)."""

    name = "scripted-stt"

    def __init__(self, script: Sequence[tuple[float, float, str]]) -> None:
        self.script = list(script)
        self.heard: list[float] = []

    async def warm_up(self) -> None:
        pass

    async def transcribe(self, clip: AudioClip, language: str | None, among: Sequence[str] = ()) -> Transcript:
        seconds = clip.duration_seconds
        self.heard.append(seconds)
        for shortest, longest, text in self.script:
            if shortest <= seconds <= longest:
                return Transcript(text, language or "en", seconds, self.name)
        return Transcript("", language or "en", seconds, self.name)


class FakeListening:
    """VoiceListening in memory: which guild listens where, and who opted out."""

    def __init__(self, *, marks_nickname: bool = False) -> None:
        self.marks_nickname = marks_nickname
        self.channels: dict[int, tuple[int, int]] = {}  # guild -> (voice channel, text channel)
        self.opted_out: set[tuple[int, int]] = set()
        # Tentative turns: message id -> whether the member finished with that audio (unset: they did).
        self.turns: dict[int, bool] = {}
        self.asked: list[int] = []

    def listening_channel(self, guild_id: GuildId) -> ChannelId | None:
        found = self.channels.get(guild_id)
        return ChannelId(found[0]) if found else None

    async def start(
        self,
        guild_id: GuildId,
        voice_channel_id: ChannelId,
        text_channel_id: ChannelId,
        opted_out: frozenset[UserId] = frozenset(),
    ) -> bool:
        self.channels[guild_id] = (voice_channel_id, text_channel_id)
        self.opted_out = {(g, u) for g, u in self.opted_out if g != guild_id} | {(guild_id, u) for u in opted_out}
        return self.marks_nickname

    async def stop(self, guild_id: GuildId) -> bool:
        return self.channels.pop(guild_id, None) is not None

    async def set_opted_out(self, guild_id: GuildId, user_id: UserId, opted_out: bool) -> None:
        if opted_out:
            self.opted_out.add((guild_id, user_id))
        else:
            self.opted_out.discard((guild_id, user_id))

    async def turn_ended(self, guild_id: GuildId, turn: MessageId) -> bool:
        self.asked.append(turn)
        return self.turns.get(turn, True)


class FakeTextToSpeech:
    name = "fake-tts"

    def __init__(self) -> None:
        self.spoken: list[tuple[str, str]] = []
        self.warmed = 0

    async def warm_up(self) -> None:
        self.warmed += 1

    async def synthesize(self, text: str, language: str) -> AudioClip:
        self.spoken.append((text, language))
        return AudioClip(text.encode(), 16000)


class FakeWorkQueue:
    """The work port in memory: runs each job at once with the given executor, or is down when told to."""

    def __init__(self, executor: JobExecutor) -> None:
        self._executor = executor
        self.down = False
        self.jobs: list[Job[Any]] = []

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def run(self, job: Job[T], progress: ProgressCallback | None = None) -> T:
        if self.down:
            raise WorkUnavailable()
        self.jobs.append(job)
        return await self._executor(job, progress)
