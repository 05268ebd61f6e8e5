"""Discord's OAuth2 authorization code flow: who the user is and which of their servers they administer.

Parrot's own admin check decides (the owner, Manage Server, or a configured role), as for chat commands.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp

from adapters.web.directory import GuildDirectory
from adapters.web.sessions import Guild, Identity
from application.chat.permissions import PrivilegePolicy
from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.messages import Author, Message

DISCORD_API = "https://discord.com/api/v10"
MANAGE_GUILD = 1 << 5
ADMINISTRATOR = 1 << 3
SCOPES = "identify guilds"


class OAuthFailed(Exception):
    """Discord refused or did not answer; the user is told to try again."""


@dataclass(frozen=True, slots=True)
class OAuthConfig:
    client_id: str
    client_secret: str
    redirect_uri: str
    api_base: str = DISCORD_API
    timeout: float = 15.0


class DiscordOAuth:
    def __init__(self, config: OAuthConfig, directory: GuildDirectory, policy: PrivilegePolicy) -> None:
        self._config = config
        self._directory = directory
        self._policy = policy

    def authorize_url(self, state: str) -> str:
        query = urlencode(
            {
                "client_id": self._config.client_id,
                "redirect_uri": self._config.redirect_uri,
                "response_type": "code",
                "scope": SCOPES,
                "state": state,
                "prompt": "none",
            }
        )
        return f"{self._config.api_base.rstrip('/')}/oauth2/authorize?{query}"

    async def identify(self, code: str) -> Identity:
        base = self._config.api_base.rstrip("/")
        timeout = aiohttp.ClientTimeout(total=self._config.timeout)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as http:
                form = {
                    "client_id": self._config.client_id,
                    "client_secret": self._config.client_secret,
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": self._config.redirect_uri,
                }
                token = await _json(http.post(f"{base}/oauth2/token", data=form))
                headers = {"Authorization": f"Bearer {token['access_token']}"}
                user = await _json(http.get(f"{base}/users/@me", headers=headers))
                guilds = await _json(http.get(f"{base}/users/@me/guilds", headers=headers))
        except (aiohttp.ClientError, TimeoutError, KeyError, TypeError, ValueError) as error:
            raise OAuthFailed(f"Discord did not confirm the login ({type(error).__name__}).") from None
        if not isinstance(user, dict) or not isinstance(guilds, list):
            raise OAuthFailed("Discord's answer was not understood.")
        user_id = int(user["id"])
        name = str(user.get("global_name") or user.get("username") or user_id)
        return Identity(user_id, name, tuple(self._administered(user_id, name, guilds)))

    def _administered(self, user_id: int, name: str, listed: Sequence[Any]) -> list[Guild]:
        present = {guild_id: Guild(guild_id, name) for guild_id, name in self._directory.guilds()}
        allowed: list[Guild] = []
        for entry in listed:
            if not isinstance(entry, dict) or "id" not in entry:
                continue
            guild_id = int(entry["id"])
            if guild_id not in present:
                continue  # Parrot is not in that server: nothing to review there
            permissions = int(entry.get("permissions") or 0)
            author = Author(
                id=UserId(user_id),
                name=name,
                roles=self._directory.member_roles(guild_id, user_id),
                can_manage_guild=bool(permissions & (MANAGE_GUILD | ADMINISTRATOR)) or bool(entry.get("owner")),
            )
            probe = Message(MessageId(0), ChannelId(0), author, "", guild_id=GuildId(guild_id))
            if self._policy.allows(probe):
                allowed.append(present[guild_id])
        return allowed


async def _json(request: Any) -> Any:
    async with request as response:
        if response.status >= 400:
            raise ValueError(f"HTTP {response.status}")
        return await response.json()
