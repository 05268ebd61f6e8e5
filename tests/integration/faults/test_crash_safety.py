"""SIGKILL while users' records and models are being written: nothing half-written, nothing acknowledged lost."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from adapters.storage.atomic import LineAppender
from adapters.storage.feedback_log import JsonLinesFeedbackLog
from adapters.storage.layout import SpaceLayout
from adapters.storage.model_store import FilesystemModelStore
from adapters.storage.settings_store import JsonSettingsStore
from support.shared_data import PROJECT_ROOT
from tests.integration.faults.crash_worker import SPACE, artifact_for


def run_and_kill(job: str, root: Path, acks_before_kill: int, extra_delay: float) -> list[int]:
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.faults.crash_worker", job, str(root)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    acked: list[int] = []
    while len(acked) < acks_before_kill:
        line = worker.stdout.readline()
        assert line, "the worker stopped before it was killed"
        acked.append(int(line.split()[1]))
    time.sleep(extra_delay)  # land somewhere inside a later write
    os.kill(worker.pid, signal.SIGKILL)
    rest, _ = worker.communicate(timeout=10)
    acked.extend(int(line.split()[1]) for line in rest.splitlines() if line.startswith("ack "))
    assert worker.returncode == -signal.SIGKILL
    return acked


async def test_feedback_and_corrections_survive_sigkill(tmp_path: Path) -> None:
    for attempt, delay in enumerate((0.0, 0.003, 0.011)):
        root = tmp_path / str(attempt)
        acked = run_and_kill("records", root, acks_before_kill=20, extra_delay=delay)
        log = JsonLinesFeedbackLog(SpaceLayout(root), LineAppender())
        feedback = {int(f.text.split()[1]) for f in await log.list_feedback(SPACE, 1_000_000)}
        corrections = {int(c.user_text.split()[1]) for c in await log.list_corrections(SPACE)}
        assert set(acked) <= feedback and set(acked) <= corrections
        # After the restart, appending goes on cleanly even after a torn last line.
        before = len(feedback)
        await log.append_feedback(SPACE, (await log.list_feedback(SPACE, 1))[0])
        assert len(await log.list_feedback(SPACE, 1_000_000)) == before + 1


async def test_a_model_being_published_when_killed_leaves_the_previous_one_active(tmp_path: Path) -> None:
    for attempt, delay in enumerate((0.0, 0.005, 0.017)):
        root = tmp_path / str(attempt)
        acked = run_and_kill("models", root, acks_before_kill=3, extra_delay=delay)
        layout = SpaceLayout(root)
        store = FilesystemModelStore(layout)
        versions = [v.number for v in await store.list_versions(SPACE)]
        assert set(acked) <= set(versions)
        for number in versions:
            assert (await store.load_artifact(SPACE, number)).data == artifact_for(number)
        active = (await JsonSettingsStore(layout).load(SPACE)).active_model
        assert active is not None and active in versions and active >= max(acked)


async def test_a_process_killed_while_holding_the_space_lock_never_blocks_the_next_writer(tmp_path: Path) -> None:
    import asyncio
    from datetime import UTC, datetime

    from application.ports.model import TrainedArtifact
    from domain.training import ModelVersion

    acked = run_and_kill("models", tmp_path, acks_before_kill=2, extra_delay=0.004)
    layout = SpaceLayout(tmp_path)
    store = FilesystemModelStore(layout)
    meta = ModelVersion(0, "fake", "d", "h", datetime.now(UTC), 1, ("a",), {})
    # The kernel drops a dead process's lock: the next publication goes through at once, numbered after the rest.
    published = await asyncio.wait_for(store.publish(SPACE, TrainedArtifact("fake", b"next"), meta, activate=True), 10)
    assert published.number == max(v.number for v in await store.list_versions(SPACE)) > max(acked)
    assert (await JsonSettingsStore(layout).load(SPACE)).active_model == published.number
