"""For drivers that cannot hear a voice channel: every request gets a clear answer."""

from domain.errors import InvalidArgument
from domain.ids import ChannelId, GuildId, MessageId, UserId


class NoListening:
    def listening_channel(self, guild_id: GuildId) -> ChannelId | None:
        return None

    async def start(
        self,
        guild_id: GuildId,
        voice_channel_id: ChannelId,
        text_channel_id: ChannelId,
        opted_out: frozenset[UserId] = frozenset(),
    ) -> bool:
        raise InvalidArgument("I can't listen to voice channels in this chat.")

    async def stop(self, guild_id: GuildId) -> bool:
        return False

    async def set_opted_out(self, guild_id: GuildId, user_id: UserId, opted_out: bool) -> None:
        return None

    async def turn_ended(self, guild_id: GuildId, turn: MessageId) -> bool:
        return True  # nothing here hears tentatively: every turn given is whole
