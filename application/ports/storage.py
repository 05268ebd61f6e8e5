"""Where users' data lives. Every path a user gives is relative to a space and checked by the adapter."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from domain.feedback import Correction, Feedback, ThumbsDown
from domain.ids import UserId
from domain.spaces import Space
from domain.voice_turns import VoiceTurn


@dataclass(frozen=True, slots=True)
class IndexedCorrection:
    """What the corrections index needs of a live correction: its text normalised (the index's key), its answer,
    who gave it and when."""

    key: str
    answer: str
    author_id: UserId
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoredFile:
    name: str
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    name: str
    size: int


@dataclass(frozen=True, slots=True)
class SpaceSettings:
    active_dataset: str | None = None
    active_model: int | None = None
    language: str | None = None
    # Changed by `settings`: voice messages transcribed automatically, replies spoken in voice channels,
    # the languages heard (empty: the configured ones), whether `train` keeps the starter knowledge (None: configured).
    transcribe_voice: bool = True
    spoken_replies: bool = True
    languages: tuple[str, ...] = ()
    keep_starter: bool | None = None
    # Members who said `listen optout` here (kept so that it outlasts a restart), and whether voice chat's
    # transcripts are kept as text (`settings voicelog`; off unless an admin turns it on).
    listening_opted_out: frozenset[UserId] = frozenset()
    keep_voice_transcripts: bool = False


@dataclass(frozen=True, slots=True)
class Forgotten:
    """How many records `forget_author` (or `forget_member`) removed."""

    feedback: int = 0
    corrections: int = 0
    thumbs_down: int = 0
    voice_turns: int = 0

    def __add__(self, other: "Forgotten") -> "Forgotten":
        return Forgotten(
            self.feedback + other.feedback,
            self.corrections + other.corrections,
            self.thumbs_down + other.thumbs_down,
            self.voice_turns + other.voice_turns,
        )


@runtime_checkable
class FileVault(Protocol):
    async def read_file(self, space: Space, path: str, max_bytes: int) -> StoredFile:
        """A file under the space's `files/`; raises PathOutsideRoot, NotFound or TooLarge."""
        ...

    async def archive_directory(self, space: Space, path: str, max_bytes: int, max_entries: int) -> StoredFile:
        """Zip a directory of the space into its `archives/` and return the zip."""
        ...


@runtime_checkable
class DatasetStore(Protocol):
    async def list_datasets(self, space: Space) -> Sequence[DatasetInfo]: ...

    async def read_dataset(self, space: Space, name: str, max_bytes: int) -> StoredFile: ...

    async def save_dataset(self, space: Space, name: str, data: bytes) -> str:
        """Keep `data` atomically and return the name it got: never half a file, never in place of another.

        A dataset of the same name and other contents is kept: the new one gets the next free `NAME-N.ext`.
        The same contents under the same name are kept once.
        """
        ...


@runtime_checkable
class SettingsStore(Protocol):
    """A space's settings, shared with every process on the same data root.

    `load` always sees the latest saved settings, whoever saved them. Change them with `update`:
    a read-modify-write that no other writer, thread or process, interleaves with.
    """

    async def load(self, space: Space) -> SpaceSettings: ...

    async def save(self, space: Space, settings: SpaceSettings) -> None:
        """Replace every setting; prefer `update`, which keeps what others changed meanwhile."""
        ...

    async def update(self, space: Space, change: Callable[[SpaceSettings], SpaceSettings]) -> SpaceSettings:
        """Apply `change` to the current settings atomically and return the result."""
        ...


@runtime_checkable
class FeedbackLog(Protocol):
    """Append-only records; an acknowledged record survives a crash."""

    async def append_feedback(self, space: Space, feedback: Feedback) -> None: ...

    async def list_feedback(self, space: Space, limit: int) -> Sequence[Feedback]: ...

    async def append_correction(self, space: Space, correction: Correction) -> None: ...

    async def append_thumbs_down(self, space: Space, rating: ThumbsDown) -> None: ...

    async def list_thumbs_down(self, space: Space, limit: int) -> Sequence[ThumbsDown]:
        """The latest `limit`, oldest first."""
        ...

    async def list_corrections(self, space: Space) -> Sequence[Correction]:
        """Oldest first, without those a later retraction withdrew."""
        ...

    async def list_indexed_corrections(self, space: Space) -> Sequence[IndexedCorrection]:
        """The same corrections, in the same order, as the index keeps them: each keyed by its text normalised as
        `application.learning.text_matching.normalise` does (a store may keep the keys it computed on append)."""
        ...

    async def retract_correction(self, space: Space, user_text: str, at: datetime) -> None:
        """Withdraw the corrections of `user_text` (compared normalised) by appending a retraction."""
        ...

    async def forget_author(self, space: Space, author_id: UserId) -> Forgotten:
        """Remove every record `author_id` wrote in `space`, in one transaction; others' records stay."""
        ...


@runtime_checkable
class VoiceTranscriptLog(Protocol):
    """Spoken turns kept as text, per space, only while an admin has it on; never audio."""

    async def append_turn(self, space: Space, turn: VoiceTurn) -> None:
        """Keep `turn`; an acknowledged turn survives a crash. Bounded: past twice the store's bound per space, the
        oldest turns go and the newest `bound` stay."""
        ...

    async def list_turns(self, space: Space, limit: int) -> Sequence[VoiceTurn]:
        """The latest `limit`, oldest first."""
        ...

    async def forget_speaker(self, space: Space, speaker_id: UserId) -> int:
        """Remove every turn `speaker_id` spoke in `space`, rewriting atomically; the number of their turns removed
        (unreadable records may go too, uncounted)."""
        ...


@runtime_checkable
class InstructionSource(Protocol):
    async def read_instructions(self) -> StoredFile: ...


@runtime_checkable
class ForgetRequests(Protocol):
    """When each member last said `forget me`, per space, seen by every process on the same records.

    A message of theirs asked before it but answered after it (a spoken turn, a message in another channel, or one
    answered by another process) is not kept either.
    """

    async def note(self, space: Space, member: UserId, at: datetime) -> None:
        """Remember `at` as `member`'s latest `forget me` in `space` (a later one replaces it)."""
        ...

    async def last(self, space: Space, member: UserId) -> datetime | None:
        """When `member` last asked to be forgotten in `space`; None if never."""
        ...


@runtime_checkable
class MemberRecords(Protocol):
    """Every record one member left, deleted together: `forget me`."""

    async def forget_member(self, spaces: Sequence[Space], member: UserId, at: datetime) -> Forgotten:
        """In one transaction: note `at` as `member`'s latest `forget me` in each of `spaces` (ForgetRequests), and
        remove their feedback, corrections, thumbs-downs (given, or about their message), review inbox records
        (written or rated down by them) and kept voice turns there. Either all of it is done or none of it."""
        ...
