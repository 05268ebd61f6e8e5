"""The servers Parrot is in, as the page needs them: names, and the roles a member holds there.

The running driver provides it: the local chat has one server; on Discord the bot's cache answers.
"""

from collections.abc import Sequence
from typing import Protocol


class GuildDirectory(Protocol):
    def guilds(self) -> Sequence[tuple[int, str]]:
        """Each server Parrot is in, as (id, name)."""
        ...

    def member_roles(self, guild_id: int, user_id: int) -> frozenset[str]:
        """The names of the member's roles in the guild; empty when unknown."""
        ...


class StaticGuilds:
    """A fixed list of servers (the local chat's one, or a test's)."""

    def __init__(
        self, guilds: Sequence[tuple[int, str]], roles: dict[tuple[int, int], frozenset[str]] | None = None
    ) -> None:
        self._guilds = tuple(guilds)
        self._roles = roles or {}

    def guilds(self) -> Sequence[tuple[int, str]]:
        return self._guilds

    def member_roles(self, guild_id: int, user_id: int) -> frozenset[str]:
        return self._roles.get((guild_id, user_id), frozenset())
