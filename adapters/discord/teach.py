"""The "Teach me" button under an unsure reply, and the form it opens: the answer typed there corrects the
reply exactly as `correct` does (the same command, the same handler), applied at once.

The button's custom id carries the id of the message that was answered, so it works after a restart:
`ParrotBot` registers the button as a dynamic item, and the core finds the exchange by that message id.
"""

from dataclasses import replace
from typing import Any, Protocol

import discord

from domain.commands import Command, CorrectReply
from domain.ids import MessageId
from domain.messages import Message

TEACH_TEMPLATE = r"parrot:teach:(?P<message_id>[0-9]{1,20})"
# Discord caps a text input at 4,000 characters; the core refuses past `limits.feedback_chars` with the reason.
_MAX_ANSWER = 4000


def teach_custom_id(message_id: int) -> str:
    return f"parrot:teach:{message_id}"


class TeachButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=TEACH_TEMPLATE):
    def __init__(self, message_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Teach me", emoji="🎓", style=discord.ButtonStyle.secondary, custom_id=teach_custom_id(message_id)
            )
        )
        self.message_id = message_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> "TeachButton":
        return cls(int(match["message_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(TeachForm(self.message_id))


class TeachInbox(Protocol):
    """The Inbox, as the form sees it (ParrotBot's `inbox`). Described here, not imported: the Inbox imports
    chat.py, which imports this module for the button, so importing the Inbox back would close a circle."""

    @property
    def prefix(self) -> str: ...

    def interaction_message(self, interaction: discord.Interaction, content: str) -> Message: ...

    async def submit_interaction(self, interaction: discord.Interaction, command: Command) -> None: ...


class TeachForm(discord.ui.Modal, title="Teach me"):
    answer: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="The answer I should have given", style=discord.TextStyle.paragraph, max_length=_MAX_ANSWER
    )

    def __init__(self, message_id: int) -> None:
        super().__init__(custom_id=f"parrot:teach-form:{message_id}", timeout=15 * 60)
        self.message_id = message_id

    async def on_submit(self, interaction: discord.Interaction) -> None:
        inbox: TeachInbox = getattr(interaction.client, "inbox")  # noqa: B009 - ParrotBot holds its Inbox
        text = self.answer.value
        message = inbox.interaction_message(interaction, f"{inbox.prefix}correct {text}")
        # As if `correct` were typed replying to the answered message: the core finds the exchange by its id.
        message = replace(message, reply_to=MessageId(self.message_id))
        await inbox.submit_interaction(interaction, CorrectReply(message, correction=text))


def teach_view(message_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(TeachButton(message_id))
    return view
