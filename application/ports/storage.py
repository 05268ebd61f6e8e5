"""Where users' data lives. Every path a user gives is relative to a space and checked by the adapter."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from domain.feedback import Correction, Feedback
from domain.spaces import Space


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
        """Write atomically (a crash leaves the old file or the new one, never half of one); the name it got."""
        ...


@runtime_checkable
class SettingsStore(Protocol):
    async def load(self, space: Space) -> SpaceSettings: ...

    async def save(self, space: Space, settings: SpaceSettings) -> None: ...


@runtime_checkable
class FeedbackLog(Protocol):
    """Append-only records; an acknowledged record survives a crash."""

    async def append_feedback(self, space: Space, feedback: Feedback) -> None: ...

    async def list_feedback(self, space: Space, limit: int) -> Sequence[Feedback]: ...

    async def append_correction(self, space: Space, correction: Correction) -> None: ...

    async def list_corrections(self, space: Space) -> Sequence[Correction]:
        """Oldest first, without those a later retraction withdrew."""
        ...

    async def retract_correction(self, space: Space, user_text: str, at: datetime) -> None:
        """Withdraw the corrections of `user_text` (compared normalised) by appending a retraction."""
        ...


@runtime_checkable
class InstructionSource(Protocol):
    async def read_instructions(self) -> StoredFile: ...
