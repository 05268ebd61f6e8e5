"""The local chat at a terminal handles each line beside the others, as Discord handles messages."""

import asyncio
import contextlib
import io
from collections.abc import Sequence
from pathlib import Path

from adapters.local.console import ConsoleChat, LocalChatSession
from application.messagebus import BusMessage, MessageBus
from domain.commands import Greet, TranscribeAudio


async def _session(tmp_path: Path, interactive: bool) -> tuple[list[str], list[str]]:
    """Send a voice message, then `!hi`; returns what was handled while the voice message was still heard."""
    clip = tmp_path / "question.wav"
    clip.write_bytes(b"RIFF")
    console = ConsoleChat(tmp_path / "out", stream=io.StringIO())
    hearing = asyncio.Event()
    release = asyncio.Event()
    greeted = asyncio.Event()
    handled: list[str] = []
    seen_while_hearing: list[str] = []

    async def transcribe(command: TranscribeAudio) -> Sequence[BusMessage]:
        handled.append("transcribe started")
        hearing.set()
        await release.wait()
        handled.append("transcribe done")
        return ()

    async def greet(command: Greet) -> Sequence[BusMessage]:
        handled.append("greet")
        greeted.set()
        return ()

    bus = MessageBus({TranscribeAudio: transcribe, Greet: greet}, {}, console)

    async def settle() -> None:
        return None

    session = LocalChatSession(console, bus, "!", settle, interactive=interactive)
    lines = iter([f"/attach {clip}", "!hi"])

    async def read() -> str | None:
        # `!hi` is typed at once: the voice message's file is still being looked up when it is read.
        line = next(lines, None)
        if line is not None:
            return line
        # End of input: look at what was handled while the voice message is still being heard, then free it.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(greeted.wait(), timeout=5)
        seen_while_hearing.extend(handled)
        release.set()
        return None

    async def release_later() -> None:
        # In scripted mode the session waits for each line: free the voice message once it is being heard.
        await hearing.wait()
        await asyncio.sleep(0.05)
        release.set()

    helper = asyncio.create_task(release_later()) if not interactive else None
    await asyncio.wait_for(session.run(read), timeout=10)
    if helper is not None:
        await helper
    return handled, seen_while_hearing


async def test_at_a_terminal_a_quick_command_is_answered_while_a_voice_message_is_heard(tmp_path: Path) -> None:
    # The voice message reaches the bus first, as typed, and `!hi` is answered while it is heard.
    handled, seen = await _session(tmp_path, interactive=True)
    assert seen == ["transcribe started", "greet"]
    assert handled == ["transcribe started", "greet", "transcribe done"]


async def test_scripted_input_is_answered_line_after_line(tmp_path: Path) -> None:
    handled, _ = await _session(tmp_path, interactive=False)
    assert handled == ["transcribe started", "transcribe done", "greet"]
