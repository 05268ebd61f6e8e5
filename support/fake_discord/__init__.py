"""A socket-level fake Discord (REST, gateway, CDN, voice) that the real, unmodified discord.py client talks to."""

from support.fake_discord.server import (
    ADD_REACTION,
    EDIT_MESSAGE,
    EPHEMERAL,
    FOLLOWUP,
    INTERACTION_CALLBACK,
    REMOVE_REACTION,
    SEND_MESSAGE,
    Call,
    FakeDiscord,
)
from support.fake_discord.world import User, World

__all__ = [
    "ADD_REACTION",
    "EDIT_MESSAGE",
    "EPHEMERAL",
    "FOLLOWUP",
    "INTERACTION_CALLBACK",
    "REMOVE_REACTION",
    "SEND_MESSAGE",
    "Call",
    "FakeDiscord",
    "User",
    "World",
]
