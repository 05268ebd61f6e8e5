"""SIGKILL of a process that is training: its worker processes end too, within seconds, none left behind."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from adapters.database.file_records import FileRecords
from adapters.storage.layout import SpaceLayout
from domain.ids import GuildId
from domain.spaces import Space
from support.processes import alive, descendants
from support.shared_data import PROJECT_ROOT

GRACE_SECONDS = 5.0
SPACE = Space(guild_id=GuildId(1))


def test_killing_a_training_process_leaves_no_worker_behind() -> None:
    trainer = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.faults.training_worker"],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert trainer.stdout is not None
    children: set[int] = set()
    try:
        while "counting words" not in (line := trainer.stdout.readline()):  # the worker is fitting
            assert line, "the trainer stopped before it was killed"
        children = descendants(trainer.pid)
        assert children, "training runs in a worker process"
        os.kill(trainer.pid, signal.SIGKILL)
        trainer.wait(timeout=10)
        deadline = time.monotonic() + GRACE_SECONDS
        while (survivors := {pid for pid in children if alive(pid)}) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not survivors, f"{len(survivors)} of {len(children)} child processes outlived their killed parent"
    finally:
        trainer.kill()
        for pid in children:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)  # not to leave them to the next test


async def test_a_staging_folder_left_by_a_killed_file_store_publisher_is_removed_when_moving_in(tmp_path: Path) -> None:
    layout = SpaceLayout(tmp_path)
    models = layout.models(SPACE)
    models.mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftovers = [models / f".staging-{dead.stdout.strip()}-x1y2z3", models / ".staging-abc_12de"]  # today's, older
    live = models / f".staging-{os.getpid()}-q9w8e7"  # a publisher at work in this process: kept
    for folder in (*leftovers, live):
        folder.mkdir()
        (folder / ".artifact.bin.k3j4.tmp").write_bytes(b"half a model")
    # Read by the import (adapters/database/file_import.py), which brings no half-published version in.
    assert await FileRecords(layout).model_versions(SPACE) == []
    assert not any(folder.exists() for folder in leftovers)
    assert live.is_dir()


def test_killing_the_bot_leaves_no_festival_process_behind() -> None:
    # The warm Festival process (adapters/speech/festival.py) reads its requests from a pipe: when the bot dies,
    # the pipe closes and Festival ends, without any signal sent to it.
    speaker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import asyncio, sys, time\n"
            "from adapters.speech.festival import FestivalTextToSpeech\n"
            "voice = FestivalTextToSpeech()\n"
            "asyncio.run(voice.warm_up())\n"
            "print('festival', voice.pid, flush=True)\n"
            "time.sleep(60)\n",
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert speaker.stdout is not None
    festival = 0
    try:
        while not (line := speaker.stdout.readline()).startswith("festival "):  # log lines come first
            assert line, "the process stopped before Festival was warm"
        festival = int(line.split()[1])
        assert alive(festival) and festival in descendants(speaker.pid)
        os.kill(speaker.pid, signal.SIGKILL)
        speaker.wait(timeout=10)
        deadline = time.monotonic() + GRACE_SECONDS
        while alive(festival) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(festival), "Festival outlived the killed process that started it"
    finally:
        speaker.kill()
        if festival and alive(festival):
            os.kill(festival, signal.SIGKILL)
