"""A space is where one community's data lives: one per guild, one per direct-message user."""

from dataclasses import dataclass

from domain.ids import GuildId, UserId


@dataclass(frozen=True, slots=True)
class Space:
    """Whose data a command may touch.

    Guilds never share a space; direct messages get a space per user, so that one
    user's private uploads are not visible to another.
    """

    guild_id: GuildId | None
    dm_user_id: UserId | None = None

    def __post_init__(self) -> None:
        if (self.guild_id is None) == (self.dm_user_id is None):
            raise ValueError("a space belongs to exactly one guild or one direct-message user")

    @property
    def key(self) -> str:
        """A name safe to use as a folder name."""
        if self.guild_id is not None:
            return f"guild-{int(self.guild_id)}"
        return f"dm-{int(self.dm_user_id or 0)}"

    @property
    def is_direct(self) -> bool:
        return self.guild_id is None
