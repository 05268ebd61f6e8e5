"""The page's side of the chat ports: what a command tells the page is collected, not sent to a channel.

The running driver's chat (Discord, the local chat) is wrapped: channels the page opened for one request are
answered here, every other channel goes on to the driver as before. Uploaded files reach the use cases as
attachments whose bytes the page holds, exactly as a Discord attachment's bytes are fetched on demand.
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from application.ports.chat import AttachmentSource, ChatOutput
from domain.errors import NotFound, TooLarge
from domain.ids import ChannelId, MessageId
from domain.messages import Attachment, OutgoingFile, ReplyAction, Status
from domain.text import Code, Text, say

WEB_REF = "web-upload:"


@dataclass
class Outcome:
    """What the bus told the page while it handled one command: its parts kept, for the page to render."""

    lines: list[Text | str] = field(default_factory=list)
    failed: bool = False


class WebChat:
    """A ChatOutput over the driver's own: page channels (negative ids, never a real channel) are collected."""

    def __init__(self, inner: ChatOutput, prefix: str = "!") -> None:
        self._inner = inner
        self.prefix = prefix
        self._open: dict[ChannelId, Outcome] = {}
        self._channels = itertools.count(1)
        self._ids = itertools.count(1)

    @property
    def max_message_length(self) -> int:
        return self._inner.max_message_length

    def open_channel(self) -> ChannelId:
        channel = ChannelId(-next(self._channels))
        self._open[channel] = Outcome()
        return channel

    def close_channel(self, channel: ChannelId) -> Outcome:
        return self._open.pop(channel, Outcome())

    def _page(self, channel_id: ChannelId) -> Outcome | None:
        if channel_id < 0:
            # A page channel that is closed (a job's later progress) has nobody to tell: the page polls instead.
            return self._open.get(channel_id, Outcome())
        return None

    def render(self, text: Text | str) -> str:
        return self._inner.render(text)

    async def send_text(
        self,
        channel_id: ChannelId,
        text: Text | str,
        *,
        reply_to: MessageId | None = None,
        actions: Sequence[ReplyAction] = (),
    ) -> MessageId:
        page = self._page(channel_id)
        if page is None:
            return await self._inner.send_text(channel_id, text, reply_to=reply_to, actions=actions)
        page.lines.append(text)
        return MessageId(-next(self._ids))

    async def send_file(
        self, channel_id: ChannelId, file: OutgoingFile, *, text: Text | str = "", reply_to: MessageId | None = None
    ) -> MessageId:
        page = self._page(channel_id)
        if page is None:
            return await self._inner.send_file(channel_id, file, text=text, reply_to=reply_to)
        if text:
            page.lines.append(text)
        return MessageId(-next(self._ids))

    async def edit_text(self, channel_id: ChannelId, message_id: MessageId, text: Text | str) -> None:
        page = self._page(channel_id)
        if page is None:
            await self._inner.edit_text(channel_id, message_id, text)
        else:
            page.lines.append(text)

    def is_gone(self, channel_id: ChannelId, message_id: MessageId) -> bool:
        # A page's request is never deleted; a driver's message may be.
        return self._page(channel_id) is None and self._inner.is_gone(channel_id, message_id)

    async def set_status(self, channel_id: ChannelId, message_id: MessageId, status: Status) -> None:
        page = self._page(channel_id)
        if page is None:
            await self._inner.set_status(channel_id, message_id, status)
        elif status is Status.FAILED:
            page.failed = True


class WebAttachments:
    """An AttachmentSource over the driver's own, that also serves files uploaded through the page."""

    def __init__(self, inner: AttachmentSource) -> None:
        self._inner = inner
        self._uploads: dict[str, bytes] = {}
        self._ids = itertools.count(1)

    def hold(self, filename: str, data: bytes, content_type: str) -> Attachment:
        number = next(self._ids)
        ref = f"{WEB_REF}{number}"
        self._uploads[ref] = data
        return Attachment(id=-number, filename=filename, size=len(data), content_type=content_type, ref=ref)

    def release(self, attachment: Attachment) -> None:
        self._uploads.pop(attachment.ref, None)

    async def fetch(self, attachment: Attachment, max_bytes: int) -> bytes:
        if not attachment.ref.startswith(WEB_REF):
            return await self._inner.fetch(attachment, max_bytes)
        data = self._uploads.get(attachment.ref)
        if data is None:
            raise NotFound("That upload is gone.")
        if len(data) > max_bytes:
            raise TooLarge(say("The file ", Code(attachment.filename)), len(data), max_bytes)
        return data
