"""`parrot train FILE` and `parrot test FILE --json`: the chat's use cases from a shell."""

import json
import subprocess
from pathlib import Path

from support import records
from tests.processes import run_parrot

TRAIN = """text,intent,answer
hello,greet,Hi there!
hi there,greet,Hi there!
good morning,greet,Hi there!
bye,bye,See you!
goodbye,bye,See you!
see you later,bye,See you!
when do you open,hours,We open at nine.
opening hours,hours,We open at nine.
what are your hours,hours,We open at nine.
"""
TEST = """text,intent
hey hello,greet
bye bye,bye
your opening hours,hours
"""


def parrot(*args: str, data_root: Path) -> subprocess.CompletedProcess[str]:
    return run_parrot(*args, data_root=data_root)


def test_train_then_test_as_json(tmp_path: Path) -> None:
    (tmp_path / "train.csv").write_text(TRAIN)
    (tmp_path / "test.csv").write_text(TEST)
    trained = parrot("train", str(tmp_path / "train.csv"), "--backend", "tfidf", data_root=tmp_path / "data")
    assert trained.returncode == 0, trained.stderr
    assert "Training `train-1` done: model version 1 (tfidf), 9 examples, 3 intents." in trained.stdout
    tested = parrot("test", str(tmp_path / "test.csv"), "--json", data_root=tmp_path / "data")
    assert tested.returncode == 0, tested.stderr
    report = json.loads(tested.stdout)
    assert report["model_version"] == 1 and report["example_count"] == 3 and report["method"] == "test data"
    assert 0.0 <= report["accuracy"] <= 1.0 and "macro_f1" in report and "confusion" in report
    (kept,) = records.rows(tmp_path / "data", "model_reports", "guild-1")
    assert kept["number"] == 1 and kept["report"]["method"] == "test data"
    assert (tmp_path / "data" / "spaces" / "guild-1" / "models" / kept["picture"]).is_file()  # reports/...


def test_a_rejected_file_fails_with_the_reasons(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text("text,intent\nhello,greet\n")
    failed = parrot("train", str(tmp_path / "bad.csv"), data_root=tmp_path / "data")
    assert failed.returncode == 1
    assert "was not used" in failed.stdout and "at least 2 are needed" in failed.stdout
    missing = parrot("test", str(tmp_path / "nope.csv"), data_root=tmp_path / "data")
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_two_trainings_at_once_leave_the_version_announced_last_active(tmp_path: Path) -> None:
    import re
    import sys

    from support.shared_data import PROJECT_ROOT
    from tests.processes import parrot_env

    (tmp_path / "train.csv").write_text(TRAIN)
    (tmp_path / "more.csv").write_text(TRAIN + "see ya,bye,See you!\n")
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "cli", "train", str(tmp_path / name), "--backend", "tfidf"],
            cwd=PROJECT_ROOT,
            env=parrot_env(tmp_path / "data"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("train.csv", "more.csv")
    ]
    announced: list[int] = []
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
        announced.extend(int(n) for n in re.findall(r"done: model version (\d+) ", out))
    assert sorted(announced) == [1, 2]
    settings = records.settings(tmp_path / "data", "guild-1")
    assert settings is not None and settings["active_model"] == 2
    tested = parrot("test", str(tmp_path / "train.csv"), "--json", data_root=tmp_path / "data")
    assert json.loads(tested.stdout)["model_version"] == 2
