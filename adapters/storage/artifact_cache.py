"""Trained artifacts kept under a cache folder by key (the starter model: `cache/starter/<hash>-<backend>/`)."""

import asyncio
import json
import re
from pathlib import Path

import structlog

from adapters.storage.atomic import write_atomic_sync
from application.ports.model import TrainedArtifact

log = structlog.get_logger("parrot.storage")

ARTIFACT = "artifact.bin"
METADATA = "artifact.json"
_KEY = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


class FilesystemArtifactCache:
    """Implements application.ports.starter.ArtifactCache. A cache: an unreadable entry is rebuilt, not fatal."""

    def __init__(self, root: Path) -> None:
        self._root = root

    async def load(self, key: str) -> TrainedArtifact | None:
        return await asyncio.to_thread(self._load, key)

    async def save(self, key: str, artifact: TrainedArtifact) -> None:
        await asyncio.to_thread(self._save, key, artifact)

    def _folder(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError(f"not a cache key: {key!r}")
        return self._root / key

    def _load(self, key: str) -> TrainedArtifact | None:
        folder = self._folder(key)
        try:
            meta = json.loads((folder / METADATA).read_text("utf-8"))
            data = (folder / ARTIFACT).read_bytes()
            metrics = {str(k): float(v) for k, v in dict(meta.get("metrics", {})).items()}
            return TrainedArtifact(backend=str(meta["backend"]), data=data, metrics=metrics)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.warning("storage.cache_unreadable", folder=str(folder), error=str(error))
            return None

    def _save(self, key: str, artifact: TrainedArtifact) -> None:
        folder = self._folder(key)
        # The artifact first, its description last: an entry without a description is not read.
        write_atomic_sync(folder / ARTIFACT, artifact.data)
        meta = {"backend": artifact.backend, "metrics": artifact.metrics}
        write_atomic_sync(folder / METADATA, json.dumps(meta).encode())
