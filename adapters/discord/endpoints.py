"""Pointing discord.py at another Discord (a local fake in tests) and trusting an extra CA for voice TLS.

discord.py has no option for either: the REST base is the class attribute `Route.BASE` (which
`_set_api_version` resets, so it is set after) and the gateway is `DiscordWebSocket.DEFAULT_GATEWAY`.
Both are process-wide; the last bot to log in decides, which is fine for one bot per process.
"""

import ssl
from pathlib import Path

import aiohttp
import discord.gateway
import discord.http
import yarl

DISCORD_API_BASE = "https://discord.com/api/v10"
DISCORD_GATEWAY = "wss://gateway.discord.gg/"


def point_at(api_base: str | None, gateway_url: str | None) -> None:
    discord.http._set_api_version(10)
    discord.http.Route.BASE = (api_base or DISCORD_API_BASE).rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url or DISCORD_GATEWAY)


def connector_trusting(ca_file: Path) -> aiohttp.TCPConnector:
    """A connector that trusts the system's CAs and `ca_file` (the voice websocket is always wss://)."""
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=ca_file)
    # limit=0: discord.py's own default, no cap on parallel connections.
    return aiohttp.TCPConnector(limit=0, ssl=context)
