"""`PARROT_WEB_PORT=N parrot chat`: the local chat and the review page in one process, as a user runs them."""

import asyncio
import re
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from support.shared_data import PROJECT_ROOT
from tests.processes import parrot_env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def next_reply(stdout: asyncio.StreamReader) -> str:
    while True:
        line = (await asyncio.wait_for(stdout.readline(), 60)).decode()
        assert line, "the chat ended early"
        if line.startswith("parrot> "):
            return line.removeprefix("parrot> ").strip()


async def test_the_chat_prints_a_login_link_and_the_page_corrects_the_next_answer(tmp_path: Path) -> None:
    port = free_port()
    env = parrot_env(
        tmp_path / "data", PARROT_WEB_PORT=str(port), PARROT_LOGGING_LEVEL="INFO", PARROT_MODEL_STARTER="false"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cli",
        "chat",
        cwd=PROJECT_ROOT,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin and process.stdout and process.stderr
    try:
        lines: list[str] = []
        while not any(line.startswith("Dashboard:") for line in lines):
            lines.append((await asyncio.wait_for(process.stderr.readline(), 60)).decode().strip())
        link = next(line for line in lines if line.startswith("Dashboard:")).removeprefix("Dashboard: ")
        assert re.fullmatch(rf"http://127\.0\.0\.1:{port}/login/[A-Za-z0-9_-]{{20,}}", link)

        process.stdin.write(b"what time do you open\n")
        await process.stdin.drain()
        assert "haven't been taught" in await next_reply(process.stdout)

        # A cookie jar that, like a browser, keeps cookies from an IP address.
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
            async with browser.get(link) as response:
                page = await response.text()
                assert response.status == 200 and "Local chat" in page and "Overview" in page
            async with browser.get(f"http://127.0.0.1:{port}/g/1/inbox") as response:
                inbox = await response.text()
            assert "what time do you open" in inbox
            csrf = re.search(r'name="csrf" value="([^"]+)"', inbox)
            assert csrf
            form = {"csrf": csrf.group(1), "text": "what time do you open", "answer": "At nine, every day."}
            async with browser.post(f"http://127.0.0.1:{port}/g/1/inbox/answer", data=form) as response:
                assert "Thanks, noted" in await response.text()
            async with browser.get(link) as response:
                assert response.status == 403  # the link works once

        process.stdin.write(b"What time do you open?\n")
        await process.stdin.drain()
        assert await next_reply(process.stdout) == "At nine, every day."
        process.stdin.close()
        assert await asyncio.wait_for(process.wait(), 60) == 0
        rest = (await process.stderr.read()).decode()
        assert "Dashboard:" not in rest  # exactly one line
        logged = (tmp_path / "data" / "parrot.log").read_text()
        assert logged.count(link) == 1  # and the same line in the log
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_a_signal_prints_a_new_one_time_link(tmp_path: Path) -> None:
    port = free_port()
    env = parrot_env(
        tmp_path / "data", PARROT_WEB_PORT=str(port), PARROT_LOGGING_LEVEL="INFO", PARROT_MODEL_STARTER="false"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cli",
        "chat",
        cwd=PROJECT_ROOT,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin and process.stdout and process.stderr

    async def next_link() -> str:
        assert process.stderr
        while True:
            line = (await asyncio.wait_for(process.stderr.readline(), 60)).decode().strip()
            assert line, "the chat ended early"
            if line.startswith("Dashboard: "):
                return line.removeprefix("Dashboard: ")

    try:
        first = await next_link()
        async with aiohttp.ClientSession() as browser, browser.get(first) as response:
            assert response.status == 200
        process.send_signal(signal.SIGUSR1)
        second = await next_link()
        assert second != first
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
            async with browser.get(first) as response:
                assert response.status == 403  # the first link stays used
            async with browser.get(second) as response:
                assert response.status == 200 and "Overview" in await response.text()
            async with browser.get(second) as response:
                assert response.status == 403  # and the new one works once too
        process.stdin.close()
        assert await asyncio.wait_for(process.wait(), 60) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
