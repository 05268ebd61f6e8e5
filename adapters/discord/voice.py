"""VoiceOutput for Discord: join, leave, and play encoded audio one clip at a time per guild.

discord.py reconnects a dropped voice connection by itself; `play` waits for that, and rejoins the
channel it was asked to be in when the connection is gone for good. With a plain discord.VoiceClient a
reconnection can take up to 30 s in discord.py 2.7 (its UDP reader thread can sleep out a 30 s select()
on the old socket); Parrot's own client (adapters/discord/listening/client.py) retires the old socket so
the reader wakes at once. The waits here stay generous for discord.py's own back-off between attempts.
"""

import asyncio
import io
from collections.abc import Callable

import discord
import imageio_ffmpeg
import structlog

from adapters.discord.ogg_source import OggOpusSource
from adapters.spoken_words import spoken_words
from domain.errors import BackendUnavailable, InvalidArgument, NotFound, PermissionDenied, UnsupportedAudio
from domain.ids import ChannelId, GuildId
from domain.speech import EncodedAudio
from domain.text import Text

log = structlog.get_logger("parrot.discord.voice")


def _settle(finished: "asyncio.Future[Exception | None]", error: Exception | None) -> None:
    if not finished.done():
        finished.set_result(error)


class DiscordVoice:
    def __init__(
        self,
        client: discord.Client,
        *,
        prefix: str = "!",
        connect_timeout: float = 60.0,
        reconnect_wait: float = 45.0,
        ffmpeg: str | None = None,
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._connect_timeout = connect_timeout
        self._reconnect_wait = reconnect_wait
        self._ffmpeg = ffmpeg or imageio_ffmpeg.get_ffmpeg_exe()
        # The channel each guild asked us to be in: where to come back to after a drop.
        self._wanted: dict[int, int] = {}
        self._connecting: dict[int, asyncio.Lock] = {}
        self._playing: dict[int, asyncio.Lock] = {}
        # Guilds where the bot listens: it joins them undeafened, so members see that it hears.
        self.hearing: set[int] = set()
        # The listener gives its own VoiceClient (one that passes the voice websocket's messages on).
        self.client_factory: Callable[[discord.Client, discord.abc.Connectable], discord.VoiceClient] = (
            discord.VoiceClient
        )

    async def join(self, guild_id: GuildId, channel_id: ChannelId) -> None:
        guild = self._guild(guild_id)
        channel = guild.get_channel(channel_id)
        if not isinstance(channel, discord.VoiceChannel | discord.StageChannel):
            raise NotFound("I can't see that voice channel.")
        allowed = channel.permissions_for(guild.me)
        if not (allowed.connect and allowed.speak):
            raise PermissionDenied(f"I'm not allowed to connect and speak in <#{channel_id}>.")
        self._wanted[guild_id] = channel_id
        async with self._connecting.setdefault(guild_id, asyncio.Lock()):
            current = self._voice_client(guild)
            try:
                if current is None:
                    await channel.connect(
                        timeout=self._connect_timeout,
                        reconnect=True,
                        self_deaf=guild_id not in self.hearing,
                        cls=self.client_factory,
                    )
                elif current.channel.id != channel_id:
                    await current.move_to(channel, timeout=self._connect_timeout)
            except (TimeoutError, discord.ClientException) as error:
                self._wanted.pop(guild_id, None)
                log.warning("voice connection failed", guild_id=guild_id, error=repr(error))
                raise BackendUnavailable(f"I couldn't join <#{channel_id}>: Discord did not answer in time.") from None

    async def leave(self, guild_id: GuildId) -> bool:
        self._wanted.pop(guild_id, None)
        guild = self._client.get_guild(guild_id)
        current = self._voice_client(guild) if guild is not None else None
        if current is None:
            return False
        async with self._connecting.setdefault(guild_id, asyncio.Lock()):
            await current.disconnect(force=True)
        return True

    async def set_deafened(self, guild_id: GuildId, deafened: bool) -> None:
        """Self-deafen (or not) in the current channel: a sign to members, not a safeguard."""
        guild = self._guild(guild_id)
        current = self._voice_client(guild)
        if current is None or guild.me is None:
            return
        voice = guild.me.voice
        if voice is not None and voice.self_deaf == deafened:
            return
        await guild.change_voice_state(channel=current.channel, self_deaf=deafened)

    def connected_channel(self, guild_id: GuildId) -> ChannelId | None:
        guild = self._client.get_guild(guild_id)
        current = self._voice_client(guild) if guild is not None else None
        # While discord.py reconnects, the bot still belongs to its channel.
        return ChannelId(current.channel.id) if current is not None else None

    async def play(self, guild_id: GuildId, audio: EncodedAudio) -> None:
        async with self._playing.setdefault(guild_id, asyncio.Lock()):
            voice = await self._ready(guild_id)
            loop = asyncio.get_running_loop()
            finished: asyncio.Future[Exception | None] = loop.create_future()
            # `after` runs on discord.py's audio thread.
            voice.play(self._source(audio), after=lambda error: loop.call_soon_threadsafe(_settle, finished, error))
            try:
                error = await finished
            except asyncio.CancelledError:
                voice.stop()
                raise
            if error is not None:
                log.error("voice playback failed", guild_id=guild_id, error=repr(error))
                raise BackendUnavailable("I couldn't play that audio in the voice channel.")

    def spoken(self, text: Text | str, language: str) -> str:
        return spoken_words(text, self._prefix, language)

    def _guild(self, guild_id: int) -> discord.Guild:
        guild = self._client.get_guild(guild_id)
        if guild is None:
            raise NotFound("I'm not in that server.")
        return guild

    @staticmethod
    def _voice_client(guild: discord.Guild) -> discord.VoiceClient | None:
        voice = guild.voice_client
        return voice if isinstance(voice, discord.VoiceClient) else None

    async def _ready(self, guild_id: GuildId) -> discord.VoiceClient:
        """A connected voice client: wait out discord.py's own reconnection, or rejoin after a drop."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._reconnect_wait
        while True:
            voice = self._voice_client(self._guild(guild_id))
            if voice is not None and voice.is_connected():
                return voice
            if voice is None:
                wanted = self._wanted.get(guild_id)
                if wanted is None:
                    raise InvalidArgument("I'm not in a voice channel here; ask me to join one first.")
                log.info("rejoining voice after a drop", guild_id=guild_id, channel_id=wanted)
                await self.join(guild_id, ChannelId(wanted))
                continue
            if loop.time() > deadline:
                raise BackendUnavailable("My voice connection dropped and did not come back.")
            await asyncio.sleep(0.05)

    def _source(self, audio: EncodedAudio) -> discord.AudioSource:
        if audio.container not in ("ogg_opus", "wav"):
            raise UnsupportedAudio(f"I can't play {audio.container} audio in a voice channel.")
        if audio.container == "ogg_opus":
            return OggOpusSource(audio.data)  # what Discord plays: its packets go as they are
        # WAV is encoded to Opus by ffmpeg.
        return discord.FFmpegOpusAudio(io.BytesIO(audio.data), pipe=True, executable=self._ffmpeg)
