"""Entries of a message's menu (Apps): "Transcribe" hears a voice message or audio file on demand.

Not catalogued (there is nothing to type): `!help` mentions it. The answer is ephemeral, seen by the member
who asked only, because the transcript is theirs to read: when automatic transcription is on, the channel has
it already, and when it is off, the server chose not to post transcripts. It cools down per member like the
catalogue's expensive commands (owners exempt), since hearing is heavy work.
"""

import discord
from discord import app_commands

from adapters.discord.errors import explain
from adapters.discord.inbox import Inbox
from adapters.discord.translate import to_attachment
from domain import commands as c

TRANSCRIBE = "Transcribe"


def transcribe_menu(inbox: Inbox) -> app_commands.ContextMenu:
    def cooldown(interaction: discord.Interaction) -> app_commands.Cooldown | None:
        if interaction.user.id in inbox.owner_ids:
            return None
        return app_commands.Cooldown(1, inbox.expensive_cooldown_seconds)

    @app_commands.checks.dynamic_cooldown(cooldown, key=lambda interaction: interaction.user.id)
    async def transcribe(interaction: discord.Interaction, message: discord.Message) -> None:
        inbox.remember(message.attachments)
        voice = message.flags.voice
        audio = [
            attachment
            for attachment in (
                to_attachment(found, channel_id=message.channel.id, message_id=message.id, voice_message=voice)
                for found in message.attachments
            )
            if attachment.is_audio
        ]
        asked = inbox.interaction_message(interaction, TRANSCRIBE)
        command = c.TranscribeOnRequest(asked, attachment=audio[0] if audio else None)
        await inbox.submit_interaction(interaction, command, ephemeral=True)

    menu = app_commands.ContextMenu(name=TRANSCRIBE, callback=transcribe)

    @menu.error
    async def refused(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        text = explain(error, prefix=inbox.prefix, command=TRANSCRIBE) or "Sorry, that did not work; please try again."
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)

    return menu
