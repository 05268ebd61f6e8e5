"""`parrot run` with a token: the real process connects to the (fake) Discord, answers, and stops on SIGTERM."""

import asyncio
import os
import signal
import sys
from pathlib import Path

from support.fake_discord import FakeDiscord
from support.shared_data import PROJECT_ROOT


async def test_parrot_run_connects_answers_and_shuts_down_gracefully(fake: FakeDiscord, tmp_path: Path) -> None:
    env = {
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
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cli",
        "run",
        cwd=PROJECT_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
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
    stored = next((tmp_path / "data" / "spaces").glob("guild-*/feedback.jsonl")).read_text()
    assert "works from a real process" in stored
