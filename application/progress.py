"""A chat message that shows a long job's progress by being edited."""

import asyncio

import structlog

from application.jobs import Job
from application.ports.chat import ChatOutput
from domain.ids import ChannelId, MessageId

log = structlog.get_logger("parrot.jobs")


class ProgressMessage:
    """One chat message edited as a job advances, at most every `interval` seconds."""

    def __init__(self, chat: ChatOutput, job: Job, channel_id: ChannelId, message_id: MessageId, title: str) -> None:
        self._chat = chat
        self._job = job
        self._channel_id = channel_id
        self._message_id = message_id
        self._title = title
        self._shown = ""

    def render(self) -> str:
        filled = int(self._job.fraction * 10)
        bar = "█" * filled + "░" * (10 - filled)
        return f"{self._title} `{self._job.id}`: {bar} {self._job.fraction:.0%} ({self._job.stage})"

    async def refresh(self) -> None:
        text = self.render()
        if text != self._shown:
            self._shown = text
            await self._chat.edit_text(self._channel_id, self._message_id, text)

    async def follow(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.refresh()
            except Exception:
                log.warning("could not update the progress message", exc_info=True)

    async def finish(self, text: str) -> None:
        await self._chat.edit_text(self._channel_id, self._message_id, text)
