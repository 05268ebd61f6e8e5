"""The servers the bot is in and its members' roles, from discord.py's cache, for the review page's login."""

from collections.abc import Sequence

import discord


class DiscordGuilds:
    def __init__(self, client: discord.Client) -> None:
        self._client = client

    def guilds(self) -> Sequence[tuple[int, str]]:
        return [(guild.id, guild.name) for guild in self._client.guilds]

    def member_roles(self, guild_id: int, user_id: int) -> frozenset[str]:
        guild = self._client.get_guild(guild_id)
        member = guild.get_member(user_id) if guild is not None else None
        return (
            frozenset(role.name for role in member.roles if not role.is_default())
            if member is not None
            else frozenset()
        )
