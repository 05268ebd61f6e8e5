"""The guild, channels, roles and people a fake Discord knows, and the JSON Discord would send for them."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

JSON = dict[str, Any]

# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
CONNECT = 1 << 20
SPEAK = 1 << 21
MANAGE_GUILD = 1 << 5
CHANGE_NICKNAME = 1 << 26
EVERYONE_PERMISSIONS = (
    ADD_REACTIONS | VIEW_CHANNEL | SEND_MESSAGES | ATTACH_FILES | READ_MESSAGE_HISTORY | CONNECT | SPEAK
)

IS_VOICE_MESSAGE = 1 << 13


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


class Snowflakes:
    """Increasing ids shaped like Discord's (a millisecond timestamp in the high bits)."""

    def __init__(self) -> None:
        self._next = (int(datetime.now(UTC).timestamp() * 1000) - 1_420_070_400_000) << 22

    def next(self) -> int:
        value, self._next = self._next, self._next + (1 << 12)
        return value

    def next_on_shard(self, shard_id: int, shard_count: int) -> int:
        """The next id whose guild Discord puts on shard `shard_id` of `shard_count`: (id >> 22) % shard_count."""
        value = self._next
        while shard_of(value, shard_count) != shard_id:
            value = ((value >> 22) + 1) << 22  # the next millisecond
        self._next = value + (1 << 12)
        return value


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard whose gateway connection receives a guild's events (Discord's documented formula)."""
    return (guild_id >> 22) % shard_count


@dataclass(frozen=True, slots=True)
class Role:
    id: int
    name: str
    permissions: int
    position: int

    def payload(self) -> JSON:
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
            "icon": None,
            "unicode_emoji": None,
        }


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    bot: bool = False
    roles: tuple[Role, ...] = ()

    def payload(self) -> JSON:
        return {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0",
            "global_name": self.name.title(),
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
            "flags": 0,
            "primary_guild": None,
        }

    def member_payload(self, *, with_user: bool = True) -> JSON:
        member: JSON = {
            "roles": [str(role.id) for role in self.roles],
            "joined_at": now_iso(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "avatar": None,
            "banner": None,
            "pending": False,
            "premium_since": None,
            "communication_disabled_until": None,
        }
        if with_user:
            member["user"] = self.payload()
        return member


@dataclass(frozen=True, slots=True)
class Channel:
    id: int
    name: str
    voice: bool = False

    def payload(self, guild_id: int, position: int) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "type": 2 if self.voice else 0,
            "name": self.name,
            "position": position,
            "guild_id": str(guild_id),
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
        }
        if self.voice:
            data.update(bitrate=64000, user_limit=0, rtc_region=None)
        else:
            data.update(topic=None, rate_limit_per_user=0, last_message_id=None)
        return data


@dataclass(slots=True)
class World:
    """One guild with a text and a voice channel; the people tests talk as; the bot and its owner.

    A fake Discord with several guilds has a World per guild (`another_guild`): they share the ids, the bot
    account and its owner, as one bot account's guilds do; the other people are each guild's own.
    """

    ids: Snowflakes = field(default_factory=Snowflakes)
    # The shard ([shard_id, shard_count]) the guild's id falls on, so a test can put guilds on chosen shards.
    shard: tuple[int, int] = (0, 1)
    name: str = "Parrot Test Server"
    same_bot_as: "World | None" = None
    guild_id: int = 0
    application_id: int = 0
    text_channel: Channel = field(init=False)
    voice_channel: Channel = field(init=False)
    everyone: Role = field(init=False)
    admin_role: Role = field(init=False)
    trainer_role: Role = field(init=False)
    bot: User = field(init=False)
    owner: User = field(init=False)
    admin: User = field(init=False)
    trainer: User = field(init=False)
    alice: User = field(init=False)
    other_bot: User = field(init=False)
    # Who sits in which voice channel: user id -> channel id.
    voice_states: dict[int, int] = field(default_factory=dict)
    # Who has deafened themselves (the bot does when it isn't listening).
    self_deaf: dict[int, bool] = field(default_factory=dict)
    # More members and text channels, for load tests; add them before the bot connects.
    crowd: list[User] = field(default_factory=list)
    rooms: list[Channel] = field(default_factory=list)
    # Whether the bot holds a role that lets it change its own nickname, and the nicknames it set.
    bot_may_rename: bool = False
    nicknames: dict[int, str | None] = field(default_factory=dict)
    nickname_role: Role = field(init=False)

    def populate(self, members: int, text_channels: int) -> None:
        self.crowd.extend(User(self.ids.next(), f"member{n}") for n in range(members))
        self.rooms.extend(Channel(self.ids.next(), f"room-{n}") for n in range(text_channels))

    def __post_init__(self) -> None:
        self.guild_id = self.ids.next_on_shard(*self.shard)
        self.text_channel = Channel(self.ids.next(), "general")
        self.voice_channel = Channel(self.ids.next(), "Lounge", voice=True)
        self.everyone = Role(self.guild_id, "@everyone", EVERYONE_PERMISSIONS, 0)
        self.admin_role = Role(self.ids.next(), "Admin", EVERYONE_PERMISSIONS | MANAGE_GUILD, 2)
        self.trainer_role = Role(self.ids.next(), "Trainer", EVERYONE_PERMISSIONS, 1)
        self.nickname_role = Role(self.ids.next(), "Nicknames", CHANGE_NICKNAME, 1)
        bot_roles = (self.nickname_role,) if self.bot_may_rename else ()
        if self.same_bot_as is None:
            self.bot = User(self.ids.next(), "parrot", bot=True, roles=bot_roles)
            self.owner = User(self.ids.next(), "owner")
        else:
            self.bot = User(self.same_bot_as.bot.id, "parrot", bot=True, roles=bot_roles)
            self.owner = self.same_bot_as.owner
        self.application_id = self.bot.id
        self.admin = User(self.ids.next(), "admin", roles=(self.admin_role,))
        self.trainer = User(self.ids.next(), "trainer", roles=(self.trainer_role,))
        self.alice = User(self.ids.next(), "alice")
        self.other_bot = User(self.ids.next(), "otherbot", bot=True)

    def another_guild(self, shard: tuple[int, int], name: str) -> "World":
        """A further guild of the same bot account, whose id falls on `shard`."""
        return World(ids=self.ids, shard=shard, name=name, same_bot_as=self, bot_may_rename=self.bot_may_rename)

    def has_channel(self, channel_id: int) -> bool:
        return channel_id in (self.text_channel.id, self.voice_channel.id, *(room.id for room in self.rooms))

    @property
    def members(self) -> tuple[User, ...]:
        return (self.bot, self.owner, self.admin, self.trainer, self.alice, self.other_bot, *self.crowd)

    @property
    def roles(self) -> tuple[Role, ...]:
        return (self.everyone, self.admin_role, self.trainer_role, self.nickname_role)

    def permissions(self, user: User) -> int:
        if user.id == self.admin.id:  # the guild's owner holds every permission
            return (1 << 53) - 1
        value = self.everyone.permissions
        for role in user.roles:
            value |= role.permissions
        return value

    def user(self, user_id: int) -> User:
        for user in self.members:
            if user.id == user_id:
                return user
        raise KeyError(f"the fake world has no user {user_id}")

    def voice_state(self, user_id: int, channel_id: int | None, session_id: str) -> JSON:
        return {
            "guild_id": str(self.guild_id),
            "channel_id": str(channel_id) if channel_id is not None else None,
            "user_id": str(user_id),
            "session_id": session_id,
            "deaf": False,
            "mute": False,
            "self_deaf": self.self_deaf.get(user_id, False),
            "self_mute": False,
            "self_video": False,
            "suppress": False,
            "request_to_speak_timestamp": None,
            "member": self.user(user_id).member_payload(),
        }

    def guild_payload(self) -> JSON:
        return {
            "id": str(self.guild_id),
            "name": self.name,
            "icon": None,
            "owner_id": str(self.admin.id),
            "roles": [role.payload() for role in self.roles],
            "emojis": [],
            "stickers": [],
            "features": [],
            "member_count": len(self.members),
            "members": [user.member_payload() for user in self.members],
            "channels": [
                self.text_channel.payload(self.guild_id, 0),
                self.voice_channel.payload(self.guild_id, 1),
                *(room.payload(self.guild_id, 2 + n) for n, room in enumerate(self.rooms)),
            ],
            "threads": [],
            "voice_states": [
                {k: v for k, v in self.voice_state(user_id, channel_id, f"voice-{user_id}").items() if k != "member"}
                for user_id, channel_id in self.voice_states.items()
            ],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "large": False,
            "unavailable": False,
            "joined_at": now_iso(),
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "system_channel_flags": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
        }

    def application_payload(self) -> JSON:
        return {
            "id": str(self.application_id),
            "name": "Parrot",
            "description": "A fake application",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.owner.payload(),
            "verify_key": "0" * 64,
            "flags": 0,
            "team": None,
            "interactions_endpoint_url": None,
            # The rest of what Discord's OpenAPI description requires of an application.
            "type": None,
            "flags_new": "0",
            "redirect_uris": [],
            "role_connections_verification_url": None,
            "approximate_guild_count": 1,
            "approximate_user_install_count": 0,
            "approximate_user_authorization_count": 0,
            "explicit_content_filter": 0,
            "eligible_oauth2_scopes": [],
        }
