"""The Discord driver: the only package that imports discord.py.

The composition root builds a `ParrotBot(config)`, `equip`s it with a DiscordChat, DiscordVoice and
DiscordAttachments (the ChatOutput, VoiceOutput and AttachmentSource ports), gives those to the application,
`attach`es the bus (the CommandSink), then calls `run_discord_bot`.
"""

from adapters.discord.attachments import DiscordAttachments
from adapters.discord.bot import ParrotBot, ShardedParrotBot, intents, make_bot
from adapters.discord.chat import DiscordChat
from adapters.discord.config import DiscordConfig
from adapters.discord.guild_directory import DiscordGuilds
from adapters.discord.inbox import CommandSink, Inbox
from adapters.discord.run import DiscordStartupError, run_discord_bot, sync_slash_commands
from adapters.discord.voice import DiscordVoice

__all__ = [
    "CommandSink",
    "DiscordAttachments",
    "DiscordChat",
    "DiscordConfig",
    "DiscordGuilds",
    "DiscordStartupError",
    "DiscordVoice",
    "Inbox",
    "ParrotBot",
    "ShardedParrotBot",
    "intents",
    "make_bot",
    "run_discord_bot",
    "sync_slash_commands",
]
