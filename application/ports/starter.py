"""Where the starter knowledge comes from, and where its trained model is kept between runs."""

from typing import Protocol, runtime_checkable

from application.ports.model import TrainedArtifact
from domain.training import Dataset


@runtime_checkable
class StarterSource(Protocol):
    async def dataset(self) -> Dataset:
        """The starter dataset shipped with Parrot; raises InvalidDataset when the shipped file is broken."""
        ...


@runtime_checkable
class ArtifactCache(Protocol):
    async def load(self, key: str) -> TrainedArtifact | None:
        """The artifact saved under `key`, or None when there is none (or it cannot be read)."""
        ...

    async def save(self, key: str, artifact: TrainedArtifact) -> None:
        """Keep `artifact` under `key`, atomically."""
        ...
