"""`parrot run` with a token: the real process connects to the (fake) Discord, answers, and stops on SIGTERM."""

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from support import records
from support.fake_discord import ADD_REACTION, EDIT_MESSAGE, SEND_MESSAGE, FakeDiscord
from support.shared_data import PROJECT_ROOT


def parrot_environment(fake: FakeDiscord, tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PARROT_CONFIG": os.devnull,
        "DISCORD_TOKEN": fake.token,
        "PARROT_DISCORD_API_BASE": fake.api_base,
        "PARROT_DISCORD_GATEWAY_URL": fake.gateway_url,
        "PARROT_DISCORD_VOICE_CA_FILE": str(fake.ca_file),
        "PARROT_DISCORD_GUILD_READY_TIMEOUT": "0.1",
        "PARROT_STORAGE_DATA_ROOT": str(tmp_path / "data"),
        "PARROT_LOGGING_FORMAT": "json",
    }


async def start_parrot(env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cli",
        "run",
        cwd=PROJECT_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def connected(fake: FakeDiscord, process: asyncio.subprocess.Process) -> None:
    async with asyncio.timeout(60):
        while not fake.gateway.identifies:
            assert process.returncode is None, await process.stderr.read()  # type: ignore[union-attr]
            await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # on_ready follows the guild_ready_timeout


async def test_parrot_run_connects_answers_and_shuts_down_gracefully(fake: FakeDiscord, tmp_path: Path) -> None:
    process = await start_parrot(parrot_environment(fake, tmp_path))
    try:
        async with asyncio.timeout(60):
            while not fake.gateway.identifies:
                assert process.returncode is None, await process.stderr.read()  # type: ignore[union-attr]
                await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # on_ready follows the guild_ready_timeout
        message = await fake.send_message(fake.world.alice, "!hi")
        reply = await fake.reply_to(message, timeout=10)
        assert reply.content.startswith("Hi ")
        feedback = await fake.send_message(fake.world.alice, "!feedback works from a real process")
        await fake.reply_to(feedback, timeout=10)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
        _, errors = await process.communicate()
    assert code == 0, errors.decode()
    assert fake.token not in errors.decode()
    stored = records.texts(tmp_path / "data", "feedback", f"guild-{fake.world.guild_id}")
    assert stored == ["works from a real process"]


@pytest.fixture
async def silent_model_server() -> AsyncIterator[TestServer]:
    """An OpenAI-compatible server that never answers: training with it runs until it is cancelled."""
    released = asyncio.Event()

    async def never(request: web.Request) -> web.Response:
        await released.wait()
        return web.json_response({"data": []})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", never)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield server
    released.set()
    await server.close()


async def test_sigterm_during_training_tells_the_user_it_was_cancelled(
    fake: FakeDiscord, tmp_path: Path, silent_model_server: TestServer
) -> None:
    env = parrot_environment(fake, tmp_path) | {
        "PARROT_MODEL_BACKEND": "openai",
        "PARROT_MODEL_OPENAI_BASE_URL": str(silent_model_server.make_url("/v1")),
        "PARROT_MODEL_OPENAI_TIMEOUT_SECONDS": "300",
    }
    process = await start_parrot(env)
    try:
        await connected(fake, process)
        trained = await fake.send_message(
            fake.world.admin, "!train hello => Hello to you too\nhi => Hello to you too\nbye => Bye.\nciao => Bye."
        )
        progress = await fake.reply_to(trained, timeout=10)
        assert progress.content.startswith("Training `train-1` started")
        await asyncio.sleep(0.5)  # the job is waiting on the model server
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
        _, errors = await process.communicate()
    assert code == 0, errors.decode()
    (shown,) = [
        m for m in fake.messages.values() if (m.get("message_reference") or {}).get("message_id") == trained["id"]
    ]
    assert "failed: it was cancelled (the bot is shutting down)." in shown["content"]
    assert [call.status for call in fake.calls_to(EDIT_MESSAGE)][-1] == 200
    marks = [call.path.split("/")[-2] for call in fake.calls_to(ADD_REACTION) if f"/{trained['id']}/" in call.path]
    assert marks[-1] == "❌"
    assert len([call for call in fake.calls_to(SEND_MESSAGE) if call.reply_to == int(trained["id"])]) == 1
