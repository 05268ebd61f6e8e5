"""The Discord driver's configuration, as plain values (bootstrap reads and validates the settings)."""

from dataclasses import dataclass, field
from pathlib import Path

from adapters.discord.listening.options import ListeningOptions


@dataclass(frozen=True, slots=True)
class DiscordConfig:
    prefix: str = "!"
    # Where the REST API and the gateway live; None means Discord's own. Tests point these at a fake.
    api_base: str | None = None
    gateway_url: str | None = None
    # A CA certificate to trust besides the system's, for a voice server with a private certificate.
    voice_ca_file: Path | None = None
    # Seconds to wait for more GUILD_CREATEs before on_ready; discord.py's default is 2.0.
    guild_ready_timeout: float = 2.0
    # Owners besides the application's owner (or team) on the developer portal.
    owner_ids: frozenset[int] = frozenset()
    # Per-user cooldown on expensive commands (training, testing); owners are exempt.
    expensive_cooldown_seconds: float = 30.0
    # discord.py's own default; it also bounds each reconnection after a voice drop (see voice.py).
    voice_connect_timeout: float = 60.0
    # How long one attachment download may take before it is tried once more from a fresh URL.
    download_seconds: float = 30.0
    # Sharding: None runs one plain connection; otherwise an AutoShardedBot running `shard_ids` of `shard_count`.
    shard_count: int | None = None
    shard_ids: tuple[int, ...] = ()
    # On shutdown, how long commands under way may take to send their answers before the connection closes.
    shutdown_grace_seconds: float = 10.0
    # Hearing voice channels once an admin turns it on (`listen on`).
    listening: ListeningOptions = field(default_factory=ListeningOptions)
