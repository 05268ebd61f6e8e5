"""ChatOutput for Discord: texts, files, edits and status reactions; slash commands answered in place.

Nothing the bot sends may ping anyone: user text is echoed in replies, so every send carries
`AllowedMentions.none()` (which also keeps replies from pinging the author).
"""

import io
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import discord
import structlog

from adapters.discord.teach import teach_view
from adapters.markdown import discord_markdown
from application.ports.chat import MessageGone
from domain.chat_text import split_for_chat
from domain.ids import ChannelId, MessageId
from domain.messages import OutgoingFile, ReplyAction, Status
from domain.text import Text, render

log = structlog.get_logger("parrot.discord")

NO_PINGS = discord.AllowedMentions.none()
DISCORD_MESSAGE_LIMIT = 2000
WORKING, DONE, FAILED = "⏳", "✅", "❌"
_MARKS = {Status.WORKING: WORKING, Status.DONE: DONE, Status.FAILED: FAILED}
# Discord refuses an empty message; a zero-width space keeps an empty reply from failing.
_EMPTY = "\u200b"


@dataclass(slots=True)
class _Interaction:
    interaction: discord.Interaction
    answer: int | None = None  # the message that answered it, once one has
    ephemeral: bool = False  # every answer goes to the interaction, seen by the member who asked only


class DiscordChat:
    max_message_length = DISCORD_MESSAGE_LIMIT

    def __init__(self, client: discord.Client, *, prefix: str = "!", remembered: int = 1024) -> None:
        self._client = client
        self._markdown = discord_markdown(prefix)
        self._open: dict[int, _Interaction] = {}
        # Interactions already closed, by id: the message that answered each, so later replies can point at it.
        self._answered: OrderedDict[int, int | None] = OrderedDict()
        self._remembered = remembered
        self._working: set[int] = set()
        # Messages deleted lately (MESSAGE_DELETE), newest last: work for them is dropped. Bounded, oldest forgotten.
        self._deleted: OrderedDict[int, None] = OrderedDict()

    # -- slash commands: a domain message id may be an interaction id ---------------------------

    def open_interaction(self, interaction: discord.Interaction, *, ephemeral: bool = False) -> None:
        """Replies to `interaction.id` go to the interaction (its token lasts 15 minutes) until it is closed."""
        self._open[interaction.id] = _Interaction(interaction, ephemeral=ephemeral)

    async def close_interaction(self, interaction: discord.Interaction) -> None:
        state = self._open.pop(interaction.id, None)
        if state is None:
            return
        self._answered[interaction.id] = state.answer
        while len(self._answered) > self._remembered:
            self._answered.popitem(last=False)
        if state.answer is None and interaction.response.is_done():
            # Nothing was said (a status-only command): remove the "thinking..." placeholder.
            try:
                await interaction.delete_original_response()
            except discord.HTTPException as error:
                log.info("could not remove an interaction placeholder", status=error.status)

    def _is_interaction(self, message_id: int) -> bool:
        return message_id in self._open or message_id in self._answered

    # -- deleted messages -----------------------------------------------------------------------

    def message_deleted(self, message_id: int) -> None:
        """The gateway said the message is gone (the bot sees it through MESSAGE_DELETE)."""
        self._deleted[message_id] = None
        self._deleted.move_to_end(message_id)
        while len(self._deleted) > self._remembered:
            self._deleted.popitem(last=False)

    # -- ChatOutput ---------------------------------------------------------------------------

    def is_gone(self, channel_id: ChannelId, message_id: MessageId) -> bool:
        return message_id in self._deleted

    def render(self, text: Text | str) -> str:
        return render(text, self._markdown)

    async def send_text(
        self,
        channel_id: ChannelId,
        text: Text | str,
        *,
        reply_to: MessageId | None = None,
        actions: Sequence[ReplyAction] = (),
    ) -> MessageId:
        parts = split_for_chat(self.render(text), DISCORD_MESSAGE_LIMIT) or [_EMPTY]
        view = teach_view(reply_to) if ReplyAction.TEACH in actions and reply_to is not None else None
        first = await self._send(channel_id, parts[0], None, reply_to, view)
        for part in parts[1:]:
            await self._send(channel_id, part, None, None)
        return first

    async def send_file(
        self,
        channel_id: ChannelId,
        file: OutgoingFile,
        *,
        text: Text | str = "",
        reply_to: MessageId | None = None,
    ) -> MessageId:
        upload = discord.File(io.BytesIO(file.data), filename=file.filename, description=file.description or None)
        return await self._send(channel_id, self.render(text)[:DISCORD_MESSAGE_LIMIT] or None, upload, reply_to)

    async def edit_text(self, channel_id: ChannelId, message_id: MessageId, text: Text | str) -> None:
        text = self.render(text)
        if len(text) > DISCORD_MESSAGE_LIMIT:
            text = text[: DISCORD_MESSAGE_LIMIT - 1] + "…"
        message = self._client.get_partial_messageable(channel_id).get_partial_message(message_id)
        try:
            await message.edit(content=text or _EMPTY, allowed_mentions=NO_PINGS)
        except discord.NotFound:
            self.message_deleted(message_id)
            raise MessageGone(message_id) from None

    async def set_status(self, channel_id: ChannelId, message_id: MessageId, status: Status) -> None:
        if self._is_interaction(message_id) or self._client.user is None:
            return  # a slash command has no message of its own to mark
        message = self._client.get_partial_messageable(channel_id).get_partial_message(message_id)
        try:
            if status is not Status.WORKING and message_id in self._working:
                self._working.discard(message_id)
                await message.remove_reaction(WORKING, self._client.user)
            await message.add_reaction(_MARKS[status])
            if status is Status.WORKING:
                self._working.add(message_id)
        except discord.HTTPException as error:
            # A status mark is a courtesy: a deleted message or a missing permission must not fail the command.
            log.info("could not mark a message", status=error.status, message_id=message_id)

    # -- sending --------------------------------------------------------------------------------

    async def _send(
        self,
        channel_id: int,
        content: str | None,
        file: discord.File | None,
        reply_to: int | None,
        view: discord.ui.View | None = None,
    ) -> MessageId:
        pending = self._open.get(reply_to) if reply_to is not None else None
        if pending is not None and (pending.answer is None or pending.ephemeral):
            followup = pending.interaction.followup
            extra: dict[str, Any] = {"view": view} if view is not None else {}
            if file is not None:
                extra["file"] = file
            sent = await followup.send(
                content or ("" if file is not None else _EMPTY),
                allowed_mentions=NO_PINGS,
                wait=True,
                ephemeral=pending.ephemeral,
                **extra,
            )
            pending.answer = pending.answer or sent.id
            return MessageId(sent.id)
        if reply_to is not None and self._is_interaction(reply_to):
            # Later replies to a slash command point at its first answer, if it had one.
            reply_to = pending.answer if pending is not None else self._answered.get(reply_to)
        channel = self._client.get_partial_messageable(channel_id)
        reference = (
            channel.get_partial_message(reply_to).to_reference(fail_if_not_exists=False)
            if reply_to is not None
            else None
        )
        sent_message = await channel.send(
            content,
            file=file,  # type: ignore[arg-type]
            reference=reference,  # type: ignore[arg-type]
            allowed_mentions=NO_PINGS,
            view=view,  # type: ignore[arg-type]
        )
        return MessageId(sent_message.id)
