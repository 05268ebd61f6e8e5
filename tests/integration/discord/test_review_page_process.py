"""`parrot run` on (the fake) Discord with `web.port`: the page lists the bot's server and its answers there."""

import asyncio
import os
import re
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from support.fake_discord import FakeDiscord
from support.shared_data import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_review_page_runs_beside_the_discord_bot(fake: FakeDiscord, tmp_path: Path) -> None:
    port = free_port()
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
        "PARROT_WEB_PORT": str(port),
        "PARROT_MODEL_STARTER": "false",  # an untrained space says so, and the page's correction changes that
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli", "run", cwd=PROJECT_ROOT, env=env, stderr=asyncio.subprocess.PIPE
    )
    assert process.stderr
    errors: list[str] = []

    async def drain(stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            errors.append(line.decode())

    draining = asyncio.create_task(drain(process.stderr))
    base = f"http://127.0.0.1:{port}"
    guild = fake.world.guild_id
    try:
        async with asyncio.timeout(60):
            while not fake.gateway.identifies or not any(line.startswith("Dashboard:") for line in errors):
                assert process.returncode is None, "".join(errors)
                await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # on_ready follows the guild_ready_timeout
        link = next(line for line in errors if line.startswith("Dashboard:")).removeprefix("Dashboard: ").strip()
        assert re.fullmatch(rf"{base}/login/[A-Za-z0-9_-]{{20,}}", link)

        asked = await fake.send_message(fake.world.alice, "what time do you open")
        assert "haven't been taught" in (await fake.reply_to(asked, timeout=10)).content

        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
            async with browser.get(link) as response:
                assert response.status == 200 and str(response.url) == f"{base}/g/{guild}/"
            async with browser.get(f"{base}/g/{guild}/inbox") as response:
                inbox = await response.text()
            assert "what time do you open" in inbox
            csrf = re.search(r'name="csrf" value="([^"]+)"', inbox)
            assert csrf
            form = {"csrf": csrf.group(1), "text": "what time do you open", "answer": "At nine."}
            async with browser.post(f"{base}/g/{guild}/inbox/answer", data=form) as response:
                assert "Thanks, noted" in await response.text()

        again = await fake.send_message(fake.world.alice, "What time do you open?")
        assert (await fake.reply_to(again, timeout=10)).content == "At nine."
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
        await draining
    everything = "".join(errors)
    assert code == 0, everything
    assert sum(line.startswith("Dashboard:") for line in errors) == 1
    assert everything.count("/login/") == 1  # the log on standard error does not repeat the link
    assert fake.token not in everything
