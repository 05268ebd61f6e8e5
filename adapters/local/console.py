"""The terminal chat: you are a user in a server's channel, and the bot answers as it would on Discord."""

import asyncio
import getpass
import itertools
import mimetypes
import shlex
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from adapters.markdown import plain_text
from adapters.spoken_words import spoken_words
from application.chat.command_parser import parse_message
from application.messagebus import BusMessage, MessageBus
from application.ports.speech import AudioCodec
from domain.commands import HearUtterance
from domain.errors import NotFound, ParrotError, TooLarge
from domain.ids import ChannelId, GuildId, MessageId, UserId
from domain.messages import Attachment, Author, Message, OutgoingFile, ReplyAction, Status
from domain.speech import EncodedAudio
from domain.text import Code, Text, render, say

GUILD = GuildId(1)
TEXT_CHANNEL = ChannelId(10)
VOICE_CHANNEL = ChannelId(20)
# `/as`: who the person at the terminal is (may manage the server, owns the bot).
AS_WHOM = {"member": (False, False), "admin": (True, False), "owner": (True, True)}
STATUS_MARKS = {Status.WORKING: "⏳", Status.DONE: "✅", Status.FAILED: "❌"}

LOCAL_HELP = """Local chat: type messages as a user in #general; Parrot answers as on Discord.
  /attach PATH [text]   send a message with a file: audio is heard and answered; to train on a dataset,
                        give `!train` as the text (`/attach faq.csv !train`)
  /voice on|off         sit in (or leave) the voice channel; spoken replies are written to audio files
  /say PATH             play an audio file as if you had said it in the voice channel (Parrot hears it)
  /reply N              your next message replies to Parrot's message #N (unsure replies and `!feedback list`
                        show it), so `!correct` teaches an answer to that one rather than to the latest
  /as member|admin|owner
                        who you are from now on (you start as the owner): a member is refused the admin
                        commands, as on Discord
  /quit                 leave (end of input does the same)
  \\n                    starts a new line inside one message (for `!train q => a\\nq2 => a2`)
Type !help for Parrot's commands."""


class ConsoleChat:
    """Implements ChatOutput, VoiceOutput and AttachmentSource for a person at a terminal."""

    # As on Discord, so a long reply is split (or sent as a file) the same way.
    max_message_length = 2000

    def __init__(self, output_dir: Path, stream: TextIO | None = None, prefix: str = "!") -> None:
        # Channels as this chat names them elsewhere: #general, and the voice channel by its number (#20).
        self._plain = plain_text(prefix, {TEXT_CHANNEL: "general"})
        self._prefix = prefix
        self._output_dir = output_dir
        self._stream = stream or sys.stdout
        self._ids = itertools.count(1)
        self._voice: ChannelId | None = None
        self.user_in_voice = False
        self._attachments: dict[str, Path] = {}
        self._texts: dict[MessageId, str] = {}

    def _print(self, line: str) -> None:
        print(line, file=self._stream, flush=True)

    def next_id(self) -> MessageId:
        return MessageId(next(self._ids))

    # --- ChatOutput ----------------------------------------------------------------------------

    def render(self, text: Text | str) -> str:
        return render(text, self._plain)

    async def send_text(
        self,
        channel_id: ChannelId,
        text: Text | str,
        *,
        reply_to: MessageId | None = None,
        actions: Sequence[ReplyAction] = (),
    ) -> MessageId:
        # A terminal has no buttons: an unsure reply already says how to `correct` it, which is what "Teach me" does,
        # and shows its number, so that `/reply N` can aim a later `correct` at it (a plain one corrects the latest).
        text = self.render(text)
        message_id = self.next_id()
        self._texts[message_id] = text
        number = f" (#{message_id})" if ReplyAction.TEACH in actions else ""
        self._print(f"parrot> {text}{number}")
        return message_id

    async def send_file(
        self, channel_id: ChannelId, file: OutgoingFile, *, text: Text | str = "", reply_to: MessageId | None = None
    ) -> MessageId:
        text = self.render(text)
        path = await asyncio.to_thread(self._save, file.filename, file.data)
        if text:
            self._print(f"parrot> {text}")
        self._print(f"parrot> [file {file.filename}, {len(file.data)} bytes, saved to {path}]")
        return self.next_id()

    async def edit_text(self, channel_id: ChannelId, message_id: MessageId, text: Text | str) -> None:
        text = self.render(text)
        if self._texts.get(message_id) != text:
            self._texts[message_id] = text
            self._print(f"parrot> (edited) {text}")

    def sent(self, message_id: MessageId) -> bool:
        """Whether `message_id` is one of the bot's text messages here."""
        return message_id in self._texts

    def is_gone(self, channel_id: ChannelId, message_id: MessageId) -> bool:
        return False  # nothing is deleted in a terminal

    async def set_status(self, channel_id: ChannelId, message_id: MessageId, status: Status) -> None:
        if status is not Status.DONE:
            self._print(f"parrot> (reacted {STATUS_MARKS[status]})")

    # --- VoiceOutput ---------------------------------------------------------------------------

    async def join(self, guild_id: GuildId, channel_id: ChannelId) -> None:
        self._voice = channel_id
        self._print(f"parrot> (joined voice channel #{channel_id})")

    async def leave(self, guild_id: GuildId) -> bool:
        if self._voice is None:
            return False
        self._voice = None
        self._print("parrot> (left the voice channel)")
        return True

    def connected_channel(self, guild_id: GuildId) -> ChannelId | None:
        return self._voice

    async def play(self, guild_id: GuildId, audio: EncodedAudio) -> None:
        name = f"spoken-{datetime.now(UTC).strftime('%H%M%S-%f')}{audio.suffix}"
        path = await asyncio.to_thread(self._save, name, audio.data)
        self._print(f"parrot> (spoke {audio.duration_seconds:.1f} s: {path})")

    def spoken(self, text: Text | str, language: str) -> str:
        return spoken_words(text, self._prefix, language)

    # --- AttachmentSource ----------------------------------------------------------------------

    async def fetch(self, attachment: Attachment, max_bytes: int) -> bytes:
        path = self._attachments.get(attachment.ref)
        if path is None:
            raise NotFound("That attachment is gone.")
        size = path.stat().st_size
        if size > max_bytes:
            raise TooLarge(say("The file ", Code(attachment.filename)), size, max_bytes)
        return await asyncio.to_thread(path.read_bytes)

    def _save(self, name: str, data: bytes) -> Path:
        self._output_dir.mkdir(parents=True, exist_ok=True)
        target = self._output_dir / Path(name).name
        target.write_bytes(data)
        return target

    # --- the user's side -----------------------------------------------------------------------

    def local_attachment(self, path: Path) -> Attachment:
        ref = f"local://{len(self._attachments)}"
        self._attachments[ref] = path
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return Attachment(
            id=len(self._attachments), filename=path.name, size=path.stat().st_size, content_type=content_type, ref=ref
        )

    def say(self, line: str) -> None:
        """A line from the local driver itself, not from the bot."""
        self._print(f"({line})")


class LocalChatSession:
    """Reads what the user types, turns each line into a message, and waits for the answer."""

    def __init__(
        self,
        console: ConsoleChat,
        bus: MessageBus,
        prefix: str,
        settle: Callable[[], Awaitable[None]],
        interactive: bool,
        codec: AudioCodec | None = None,
        max_say_bytes: int = 25 * 1024 * 1024,
    ) -> None:
        self._codec = codec
        self._max_say_bytes = max_say_bytes
        self._console = console
        self._bus = bus
        self._prefix = prefix
        self._settle = settle
        self._interactive = interactive
        # The person at the terminal runs the bot, so they start as its owner; `/as` shows what others see.
        self._author = Author(
            id=UserId(1), name=getpass.getuser(), display_name=getpass.getuser(), can_manage_guild=True, is_owner=True
        )
        self._replying_to: MessageId | None = None

    async def run(self, lines: "LineSource") -> None:
        if self._interactive:
            print(LOCAL_HELP, flush=True)
        # At a terminal each message is handled beside the others, as Discord handles messages: a voice message
        # being heard never holds the prompt. Lines are read and checked in the order typed, so the bus sees
        # them in that order and keeps quick replies of the channel in order.
        pending: set[asyncio.Task[None]] = set()
        while True:
            line = await lines()
            if line is None or line.strip() == "/quit":
                break
            if not line.strip():
                continue
            message = await self.read_line(line.rstrip("\n"))
            if message is None:
                continue
            if self._interactive:
                task = asyncio.create_task(self._bus.handle(message))
                pending.add(task)
                task.add_done_callback(self._finished(pending))
            else:
                await self._handle(message)
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        await self._settle()

    def _finished(self, pending: set["asyncio.Task[None]"]) -> Callable[["asyncio.Task[None]"], None]:
        def done(task: "asyncio.Task[None]") -> None:
            pending.discard(task)
            if not task.cancelled() and task.exception() is not None:
                # The bus answers every failure itself; this is only the last line of defence.
                self._console.say(f"that line failed: {task.exception()!r}")

        return done

    async def handle_line(self, line: str) -> None:
        """Read one line and handle what it asks, to the end."""
        message = await self.read_line(line)
        if message is not None:
            await self._handle(message)

    async def _handle(self, message: BusMessage) -> None:
        await self._bus.handle(message)
        if not self._interactive:
            # Scripted input: each answer (training included) is complete before the next line.
            await self._settle()

    async def read_line(self, line: str) -> BusMessage | None:
        """What the bus is asked for `line`; None when the local chat answered it itself (its own commands)."""
        # A terminal line cannot hold a newline; `\n` stands for one, as in a multi-line Discord message.
        line = line.replace("\\n", "\n")
        stripped = line.strip()
        name, _, argument = stripped.partition(" ")
        if name == "/voice":
            self._voice(argument.strip().lower())
            return None
        if name == "/as":
            self._act_as(argument.strip().lower())
            return None
        if name == "/reply":
            self._aim(argument.strip())
            return None
        if name == "/say":
            return await self._say(argument)
        attachments: tuple[Attachment, ...] = ()
        text = line
        if name == "/attach":
            try:
                words = shlex.split(argument)
            except ValueError as error:
                self._console.say(f"could not read that: {error}")
                return None
            if not words:
                self._console.say("usage: /attach PATH [text]")
                return None
            path = await asyncio.to_thread(_existing_file, words[0])
            if path is None:
                self._console.say(f"no such file: {words[0]}")
                return None
            attachments = (self._console.local_attachment(path),)
            text = " ".join(words[1:])
        message = Message(
            id=self._console.next_id(),
            channel_id=TEXT_CHANNEL,
            author=self._author,
            content=text,
            guild_id=GUILD,
            attachments=attachments,
            reply_to=self._replying_to,
            created_at=datetime.now(UTC),
            author_voice_channel_id=VOICE_CHANNEL if self._console.user_in_voice else None,
        )
        self._replying_to = None  # as on Discord, a reply is one message's; the next goes to the channel
        return parse_message(message, self._prefix)

    def _voice(self, argument: str) -> None:
        if argument not in ("on", "off"):
            # Anything else read as "off" would take a typo for a choice.
            self._console.say("usage: /voice on|off")
            return
        self._console.user_in_voice = argument == "on"
        self._console.say(f"you are {'in' if argument == 'on' else 'out of'} the voice channel #{VOICE_CHANNEL}")

    def _act_as(self, argument: str) -> None:
        rights = AS_WHOM.get(argument)
        if rights is None:
            self._console.say("usage: /as member|admin|owner")
            return
        manage, owner = rights
        self._author = replace(self._author, can_manage_guild=manage, is_owner=owner)
        refused = " (the admin commands are refused)" if not manage else ""
        self._console.say(f"you are now {'an' if argument[0] in 'ao' else 'a'} {argument}{refused}")

    def _aim(self, argument: str) -> None:
        """`/reply N`: what Discord does by replying to a message, for a terminal that cannot point at one."""
        if not argument.isdigit():
            self._console.say("usage: /reply N, N being the number (#N) of one of Parrot's messages")
            return
        target = MessageId(int(argument))
        if not self._console.sent(target):
            self._console.say(f"#{argument} is not one of Parrot's messages")
            return
        self._replying_to = target
        self._console.say(f"your next message replies to Parrot's message #{argument}")

    async def _say(self, argument: str) -> HearUtterance | None:
        """A clip heard as a spoken turn in the voice channel: the same command Discord's listener sends."""
        try:
            words = shlex.split(argument)
        except ValueError as error:
            self._console.say(f"could not read that: {error}")
            return None
        if len(words) != 1 or self._codec is None:
            self._console.say("usage: /say PATH")
            return None
        path = await asyncio.to_thread(_existing_file, words[0])
        if path is None:
            self._console.say(f"no such file: {words[0]}")
            return None
        try:
            size = (await asyncio.to_thread(path.stat)).st_size
            if size > self._max_say_bytes:
                raise TooLarge(f"`{path.name}`", size, self._max_say_bytes)
            clip = await self._codec.decode(await asyncio.to_thread(path.read_bytes), path.name, 30.0)
        except ParrotError as error:
            self._console.say(self._console.render(error.text))
            return None
        except OSError as error:
            self._console.say(f"could not read {words[0]}: {error.strerror or error}")
            return None
        self._console.user_in_voice = True
        message = Message(
            id=self._console.next_id(),
            channel_id=TEXT_CHANNEL,
            author=self._author,
            content="",
            guild_id=GUILD,
            created_at=datetime.now(UTC),
            author_voice_channel_id=VOICE_CHANNEL,
        )
        return HearUtterance(message, audio=clip, voice_channel_id=VOICE_CHANNEL)


def _existing_file(given: str) -> Path | None:
    path = Path(given).expanduser()
    return path if path.is_file() else None


LineSource = Callable[[], Awaitable[str | None]]


def stdin_lines(prompt: str) -> LineSource:
    async def read() -> str | None:
        def blocking() -> str | None:
            try:
                return input(prompt) if prompt else sys.stdin.readline() or None
            except EOFError:
                return None

        return await asyncio.to_thread(blocking)

    return read
