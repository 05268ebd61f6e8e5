"""The voice listener: the VoiceListening port for Discord, and the driver that turns heard turns into commands.

Listening is per guild and off until an admin turns it on. While it is on, the bot is not self-deafened
(members see that it hears), its nickname carries a marker where it may change it (else a notice is
posted), silence keeps the UDP route open, and each finished turn goes to the core as `HearUtterance`.

Who is behind each SSRC is kept by the voice client from the moment it joins (Discord says it once per
connection); listening hands that map to the receiver, so members who spoke before `!listen on` are heard.
Audio is read only from `!listen on` to `!listen off`: the receiver is the socket's only reader.
"""

import asyncio
import contextlib
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import discord
import structlog

from adapters.discord.chat import DiscordChat
from adapters.discord.listening.client import ListeningVoiceClient
from adapters.discord.listening.ending import TurnEnding
from adapters.discord.listening.endtoend import OPUS_SILENCE
from adapters.discord.listening.options import ListeningOptions
from adapters.discord.listening.opus import SAMPLE_RATE
from adapters.discord.listening.receiver import Heard, VoiceReceiver
from adapters.discord.translate import to_author
from adapters.discord.voice import DiscordVoice
from domain.commands import Command, HearUtterance, InterruptSpeech
from domain.errors import BackendUnavailable, InvalidArgument
from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.messages import Author, Message
from domain.speech import AudioClip
from domain.text import ChannelRef, say

log = structlog.get_logger("parrot.discord.listening")

MARKER = " 🎙️"
Submit = Callable[[Command], Awaitable[None]]


@dataclass(slots=True)
class _Guild:
    voice_channel_id: int
    text_channel_id: int
    receiver: VoiceReceiver
    turns: TurnEnding
    ticker: "asyncio.Task[None] | None" = None
    listening_on: set[int] = field(default_factory=set)  # ids of connection states whose socket we read
    rejoined: bool = False
    rejoining: bool = False
    last_sent: float = 0.0


class DiscordListening:
    def __init__(
        self, client: discord.Client, voice: DiscordVoice, chat: DiscordChat, options: ListeningOptions
    ) -> None:
        self._client = client
        self._voice = voice
        self._chat = chat
        self._options = options
        self._guilds: dict[int, _Guild] = {}
        self._opted_out: dict[int, set[int]] = {}
        self._submit: Submit | None = None
        self._ids = itertools.count(1)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._nicknames: dict[int, str | None] = {}
        self._model_warmed = False
        self.owner_ids: set[int] = set()
        voice.client_factory = self._client_for

    def attach(self, submit: Submit) -> None:
        self._submit = submit

    def _client_for(self, client: discord.Client, channel: discord.abc.Connectable) -> ListeningVoiceClient:
        return ListeningVoiceClient(client, channel, hook=self._on_voice_message)

    # -- the VoiceListening port -------------------------------------------------------------------

    def listening_channel(self, guild_id: GuildId) -> ChannelId | None:
        state = self._guilds.get(guild_id)
        return ChannelId(state.voice_channel_id) if state is not None else None

    async def start(
        self,
        guild_id: GuildId,
        voice_channel_id: ChannelId,
        text_channel_id: ChannelId,
        opted_out: frozenset[UserId] = frozenset(),
    ) -> bool:
        guild = self._client.get_guild(guild_id)
        if guild is None:
            raise InvalidArgument("I'm not in that server.")
        # The saved opt-outs, before the first packet is read. The receiver's thread checks this very set, so it
        # is changed in place, additions first: no opted-out member is ever missing from it, even for a moment.
        members = self._opted_out.setdefault(guild_id, set())
        members.update(opted_out)
        members.difference_update(members - opted_out)
        # Transcripts and answers go to the voice channel's own text chat, unless a channel is configured.
        text_channel = self._options.transcript_channel_id or voice_channel_id
        state = self._guilds.get(guild_id)
        if state is None:
            receiver = self._new_receiver(guild_id)
            state = self._guilds[guild_id] = _Guild(
                voice_channel_id, text_channel, receiver, self._turn_ending(guild_id, receiver)
            )
        state.voice_channel_id, state.text_channel_id, state.rejoined = voice_channel_id, text_channel, False
        self._voice.hearing.add(guild_id)
        try:
            await self._voice.join(guild_id, voice_channel_id)
            await self._voice.set_deafened(guild_id, False)
        except BaseException:
            await self._forget(guild_id)
            raise
        self._hear_current_connection(guild_id)
        if state.ticker is None or state.ticker.done():
            state.ticker = asyncio.create_task(self._tick(guild_id), name=f"listening-{guild_id}")
        self._warm_end_of_turn()
        return await self._show_marker(guild, on=True)

    async def stop(self, guild_id: GuildId) -> bool:
        if guild_id not in self._guilds:
            return False
        await self._forget(guild_id)
        with contextlib.suppress(discord.HTTPException, BackendUnavailable):
            await self._voice.set_deafened(guild_id, True)
        guild = self._client.get_guild(guild_id)
        if guild is not None:
            await self._show_marker(guild, on=False)
        return True

    async def set_opted_out(self, guild_id: GuildId, user_id: UserId, opted_out: bool) -> None:
        members = self._opted_out.setdefault(guild_id, set())
        if opted_out:
            members.add(user_id)
            state = self._guilds.get(guild_id)
            if state is not None:
                state.receiver.forget(user_id)
                state.turns.forget(user_id)
        else:
            members.discard(user_id)

    async def turn_ended(self, guild_id: GuildId, turn: MessageId) -> bool:
        state = self._guilds.get(guild_id)
        return await state.turns.turn_ended(turn) if state is not None else False

    def is_opted_out(self, guild_id: GuildId, user_id: UserId) -> bool:
        return user_id in self._opted_out.get(guild_id, ())

    async def close(self) -> None:
        for guild_id in list(self._guilds):
            await self._forget(GuildId(guild_id))
        for task in list(self._tasks):
            task.cancel()

    # -- inside -----------------------------------------------------------------------------------

    def receiver(self, guild_id: int) -> VoiceReceiver | None:
        state = self._guilds.get(guild_id)
        return state.receiver if state is not None else None

    def _turn_ending(self, guild_id: int, receiver: VoiceReceiver) -> TurnEnding:
        return TurnEnding(
            receiver,
            self._options.end_of_turn,
            hear=lambda heard, tentative: self._hear(guild_id, heard, tentative),
            spawn=self._spawn,
        )

    def _warm_end_of_turn(self) -> None:
        """The model is loaded when listening starts, so the first pause is judged as fast as the others."""
        model = self._options.end_of_turn
        if model is None or self._model_warmed:
            return
        self._model_warmed = True

        async def warm() -> None:
            try:
                await model.warm_up()
            except Exception:
                self._model_warmed = False
                log.exception("the end-of-turn model could not be loaded")

        self._spawn(warm())

    def _new_receiver(self, guild_id: int) -> VoiceReceiver:
        loop = asyncio.get_running_loop()
        me = self._client.user
        opted_out = self._opted_out.setdefault(guild_id, set())

        def dave() -> Any:
            client = self._voice_client(guild_id)
            return client.connection.dave_session if client is not None else None

        return VoiceReceiver(
            own_user_id=me.id if me is not None else 0,
            rules=self._options.rules,
            limits=self._options.limits,
            opted_out=opted_out.__contains__,
            dave=dave,
            on_turn_start=lambda user_id: self._from_thread(loop, self._turn_started, guild_id, user_id),
            on_dave_broken=lambda: self._from_thread(loop, self._dave_broken_soon, guild_id),
        )

    @staticmethod
    def _from_thread(loop: asyncio.AbstractEventLoop, callback: Callable[..., None], *args: int) -> None:
        """Called on the socket reader thread: the work is done on the event loop."""
        loop.call_soon_threadsafe(callback, *args)

    def _dave_broken_soon(self, guild_id: int) -> None:
        self._spawn(self._dave_broken(guild_id))

    def _voice_client(self, guild_id: int) -> ListeningVoiceClient | None:
        guild = self._client.get_guild(guild_id)
        client = guild.voice_client if guild is not None else None
        return client if isinstance(client, ListeningVoiceClient) else None

    def _hear_current_connection(self, guild_id: int) -> None:
        """Read the UDP socket of the guild's current connection (once per connection state)."""
        state = self._guilds.get(guild_id)
        client = self._voice_client(guild_id)
        if state is None or client is None or client.secret is None:
            return
        state.receiver.use_speakers(client.speakers)
        state.receiver.set_transport(client.mode, client.secret, client.ssrc)
        connection = client.connection
        if id(connection) not in state.listening_on:
            state.listening_on.add(id(connection))
            unheard = client.discard_queued()  # sent before listening began: dropped unread
            if unheard:
                log.info("voice packets from before listening dropped unread", guild_id=guild_id, count=unheard)
            connection.add_socket_listener(state.receiver.datagram)

    async def _on_voice_message(self, client: ListeningVoiceClient, message: dict[str, Any], mapped: list[int]) -> None:
        state = self._guilds.get(client.guild.id)
        if state is None:
            return  # not listening: the client keeps only who is behind each SSRC, no audio
        if message.get("op") == 4:  # session description: a (re)connection's key; reconnects keep listening
            self._hear_current_connection(client.guild.id)
        else:
            state.receiver.mapped(mapped)

    async def _forget(self, guild_id: GuildId) -> None:
        self._voice.hearing.discard(guild_id)
        state = self._guilds.pop(guild_id, None)
        if state is None:
            return
        client = self._voice_client(guild_id)
        if client is not None:
            client.connection.remove_socket_listener(state.receiver.datagram)
        state.turns.close()
        if state.ticker is not None and state.ticker is not asyncio.current_task():
            state.ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await state.ticker

    async def _tick(self, guild_id: int) -> None:
        """Collect finished turns, and keep the UDP route open with silence when nothing else is sent."""
        while (state := self._guilds.get(guild_id)) is not None:
            try:
                state.turns.tick()
                self._keep_alive(guild_id, state)
            except Exception:
                log.exception("listening tick failed", guild_id=guild_id)
            await asyncio.sleep(self._options.tick_seconds)

    def _keep_alive(self, guild_id: int, state: _Guild) -> None:
        client = self._voice_client(guild_id)
        if client is None or not client.is_connected():
            return
        now = time.monotonic()
        if client.is_playing():
            state.last_sent = now
        elif now - state.last_sent >= self._options.keepalive_seconds:
            state.last_sent = now
            client.send_audio_packet(OPUS_SILENCE, encode=False)

    def _spawn(self, work: Awaitable[None]) -> None:
        async def run() -> None:
            await work

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _message(self, guild_id: int, state: _Guild, user_id: int) -> Message:
        guild = self._client.get_guild(guild_id)
        member = guild.get_member(user_id) if guild is not None else None
        author = (
            to_author(member, owner_ids=frozenset(self.owner_ids))
            if member is not None
            else Author(id=UserId(user_id), name=str(user_id))
        )
        # A spoken turn has no message of its own; a unique id stands in for it.
        return Message(
            id=MessageId(discord.utils.time_snowflake(discord.utils.utcnow()) + next(self._ids) % 4096),
            channel_id=ChannelId(state.text_channel_id),
            author=author,
            content="",
            guild_id=GuildId(guild_id),
            author_voice_channel_id=ChannelId(state.voice_channel_id),
        )

    def _current_channel(self, guild_id: int, state: _Guild) -> int:
        """Where the bot is now: someone may have moved it to another channel, and listening follows."""
        client = self._voice_client(guild_id)
        if client is not None and client.channel is not None and client.channel.id != state.voice_channel_id:
            log.info("listening follows the bot to another channel", guild_id=guild_id, channel_id=client.channel.id)
            if state.text_channel_id == state.voice_channel_id:
                state.text_channel_id = client.channel.id
            state.voice_channel_id = client.channel.id
        return state.voice_channel_id

    def _people_present(self, state: _Guild, guild_id: int) -> int:
        guild = self._client.get_guild(guild_id)
        channel = guild.get_channel(state.voice_channel_id) if guild is not None else None
        if not isinstance(channel, discord.VoiceChannel | discord.StageChannel):
            return 1
        return sum(1 for member in channel.members if not member.bot)

    def _hear(self, guild_id: int, heard: Heard, tentative: bool) -> int:
        """Submit the turn to the core (in the background); the id of the message that stands for it."""
        state = self._guilds.get(guild_id)
        if state is None:
            return 0  # listening stopped meanwhile: nothing is heard, and nobody asks about it
        self._current_channel(guild_id, state)
        command = HearUtterance(
            self._message(guild_id, state, heard.user_id),
            audio=AudioClip(heard.pcm, SAMPLE_RATE),
            voice_channel_id=ChannelId(state.voice_channel_id),
            people_present=self._people_present(state, guild_id),
            ended_at=heard.last_voiced_at,
            tentative=tentative,
        )
        if self._submit is not None:
            self._spawn(self._submit(command))
        return command.message.id

    def _turn_started(self, guild_id: int, user_id: int) -> None:
        state = self._guilds.get(guild_id)
        client = self._voice_client(guild_id)
        if state is None or not self._options.barge_in or client is None or not client.is_playing():
            return
        if self._submit is not None:
            log.info("barge-in: a member spoke while I was speaking", guild_id=guild_id, user_id=user_id)
            self._spawn(self._submit(InterruptSpeech(self._message(guild_id, state, user_id))))

    async def _dave_broken(self, guild_id: int) -> None:
        """Leave and rejoin once; if decryption still fails after that, stop listening and say so."""
        state = self._guilds.get(guild_id)
        if state is None or state.rejoining:
            return  # failures from the old connection, reported while the new one is made, don't count
        channel = ChannelId(state.text_channel_id)
        if not state.rejoined:
            state.rejoined = state.rejoining = True
            log.warning("rejoining voice after end-to-end decryption failures", guild_id=guild_id)
            await self._chat.send_text(channel, "I can't decrypt the voice channel's audio; rejoining it once.")
            try:
                await self._voice.leave(GuildId(guild_id))
                state.listening_on.clear()
                await self._voice.join(GuildId(guild_id), ChannelId(state.voice_channel_id))
                await self._voice.set_deafened(GuildId(guild_id), False)
                self._hear_current_connection(guild_id)
                return
            except Exception:
                log.exception("rejoining voice failed", guild_id=guild_id)
            finally:
                state.rejoining = False
        await self.stop(GuildId(guild_id))
        await self._chat.send_text(
            channel,
            say(
                "I still can't decrypt the audio in ",
                ChannelRef(ChannelId(state.voice_channel_id)),
                ", so I stopped listening.",
            ),
        )

    async def _show_marker(self, guild: discord.Guild, *, on: bool) -> bool:
        """A marker in the nickname while listening, where the bot may change it; else the core's notice stands."""
        me = guild.me
        if me is None or not me.guild_permissions.change_nickname:
            return False
        if on:
            own = me.nick.removesuffix(MARKER) if me.nick else None
            self._nicknames.setdefault(guild.id, own)  # what to put back when listening ends
            nick: str | None = me.display_name.removesuffix(MARKER) + MARKER
        else:
            nick = self._nicknames.pop(guild.id, None)
        try:
            await me.edit(nick=nick)
        except discord.HTTPException as error:
            log.info("could not mark the nickname", guild_id=guild.id, status=error.status)
            return False
        return True
