"""AttachmentSource for Discord: the bytes of an attachment the bot saw, resolved from its ids.

The domain holds only `discord:{channel}/{message}/{attachment}` references. The bytes come from the
discord.Attachment the bot received (remembered for a while) or, failing that, from the message fetched
again through the API: a URL the bot did not get from Discord itself is never downloaded.
"""

import asyncio
from collections import OrderedDict
from collections.abc import Iterable

import aiohttp
import discord
import structlog

from adapters.discord.translate import parse_attachment_ref
from domain.errors import DownloadFailed, NotFound, TooLarge
from domain.messages import Attachment
from domain.text import Code, Text, say

log = structlog.get_logger("parrot.discord")


class DiscordAttachments:
    def __init__(self, client: discord.Client, *, remembered: int = 512, download_seconds: float = 30.0) -> None:
        self._client = client
        # A CDN URL that never answers must cost one reply, not the job's whole deadline.
        self._download_seconds = download_seconds
        self._limit = remembered
        self._remembered: OrderedDict[int, discord.Attachment] = OrderedDict()

    def remember(self, attachments: Iterable[discord.Attachment]) -> None:
        for attachment in attachments:
            self._remembered[attachment.id] = attachment
            self._remembered.move_to_end(attachment.id)
        while len(self._remembered) > self._limit:
            self._remembered.popitem(last=False)

    async def fetch(self, attachment: Attachment, max_bytes: int) -> bytes:
        what = say("The file ", Code(attachment.filename))
        if attachment.size > max_bytes:
            raise TooLarge(what, attachment.size, max_bytes)
        try:
            channel_id, message_id, attachment_id = parse_attachment_ref(attachment.ref)
        except ValueError:
            raise NotFound("I can't find that file any more.") from None
        source = self._remembered.get(attachment_id)
        data: bytes | None = None
        if source is not None:
            data = await self._read(source, what, max_bytes, self._download_seconds, last_try=False)
        if data is None:
            # Not remembered, its signed CDN URL expired, or it stalled: ask Discord for the message again.
            source = await self._look_up(channel_id, message_id, attachment_id)
            data = await self._read(source, what, max_bytes, self._download_seconds, last_try=True)
        assert data is not None
        return data

    async def _look_up(self, channel_id: int, message_id: int, attachment_id: int) -> discord.Attachment:
        channel = self._client.get_partial_messageable(channel_id)
        try:
            message = await channel.fetch_message(message_id)
        except discord.HTTPException as error:
            log.info("attachment's message unavailable", status=error.status, message_id=message_id)
            raise NotFound("That file is no longer available on Discord.") from None
        for found in message.attachments:
            if found.id == attachment_id:
                self.remember([found])
                return found
        raise NotFound("That file is no longer attached to its message.")

    @staticmethod
    async def _read(
        source: discord.Attachment, what: Text, max_bytes: int, seconds: float, *, last_try: bool
    ) -> bytes | None:
        if source.size > max_bytes:
            raise TooLarge(what, source.size, max_bytes)
        try:
            data = await asyncio.wait_for(source.read(), seconds)
        except (TimeoutError, aiohttp.ClientError) as error:
            log.info("attachment download stalled or broke", error=type(error).__name__, last_try=last_try)
            if not last_try:
                return None
            raise DownloadFailed() from None
        except discord.HTTPException as error:
            if not last_try:
                return None
            log.info("attachment download failed", status=error.status)
            raise NotFound("That file is no longer available on Discord.") from None
        if len(data) > max_bytes:
            raise TooLarge(what, len(data), max_bytes)
        return data
