"""The starter model's cache on disk: kept whole, read back, and an unreadable entry is rebuilt, not fatal."""

from pathlib import Path

import pytest

from adapters.storage.artifact_cache import FilesystemArtifactCache
from application.ports.model import TrainedArtifact


async def test_an_artifact_is_kept_under_its_key_and_read_back(tmp_path: Path) -> None:
    cache = FilesystemArtifactCache(tmp_path / "cache")
    assert await cache.load("abc-tfidf") is None
    await cache.save("abc-tfidf", TrainedArtifact("tfidf", b"\x00model", {"examples": 3.0}))
    assert await cache.load("abc-tfidf") == TrainedArtifact("tfidf", b"\x00model", {"examples": 3.0})
    assert sorted(p.name for p in (tmp_path / "cache" / "abc-tfidf").iterdir()) == ["artifact.bin", "artifact.json"]


async def test_an_unreadable_entry_reads_as_missing(tmp_path: Path) -> None:
    cache = FilesystemArtifactCache(tmp_path)
    await cache.save("k", TrainedArtifact("tfidf", b"data"))
    (tmp_path / "k" / "artifact.json").write_text("{not json", "utf-8")
    assert await cache.load("k") is None
    (tmp_path / "k" / "artifact.json").write_text('{"metrics": {}}', "utf-8")
    assert await cache.load("k") is None


@pytest.mark.parametrize("key", ["../escape", "a/b", "", ".hidden"])
async def test_keys_that_are_not_plain_names_are_refused(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError, match="not a cache key"):
        await FilesystemArtifactCache(tmp_path).load(key)
