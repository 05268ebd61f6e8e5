"""The Discord driver: the only package that imports discord.py.

Build a `ParrotBot(config, policy)`; give its `chat`, `voice` and `attachments` (the ChatOutput,
VoiceOutput and AttachmentSource ports) to the application; `attach(bus)`; then `run_discord_bot`.
"""

from adapters.discord.bot import CommandSink, ParrotBot, intents
from adapters.discord.config import DiscordConfig
from adapters.discord.run import DiscordStartupError, run_discord_bot, sync_slash_commands

__all__ = [
    "CommandSink",
    "DiscordConfig",
    "DiscordStartupError",
    "ParrotBot",
    "intents",
    "run_discord_bot",
    "sync_slash_commands",
]
