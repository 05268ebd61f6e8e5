"""`listen on|off` (admins) and `listen optout|optin` (anyone, for themselves).

Opt-outs are saved in the space's settings, so they outlast a restart; listening starts with them.
Turning listening on also readies, in the background, what hearing and answering a turn need (warming.py).
"""

from collections.abc import Sequence
from dataclasses import replace

from application.messagebus import BusMessage
from application.ports.chat import ChatOutput, VoiceListening
from application.ports.storage import SettingsStore, SpaceSettings
from application.voice.warming import VoiceWarmUp
from domain.commands import SetListening, SetListeningConsent
from domain.errors import InvalidArgument
from domain.text import ChannelRef, CommandRef, Text, say


class SetListeningHandler:
    def __init__(
        self,
        chat: ChatOutput,
        listening: VoiceListening,
        settings: SettingsStore,
        wake_name: str,
        warm_up: VoiceWarmUp,
    ) -> None:
        self._chat = chat
        self._listening = listening
        self._settings = settings
        self._wake_name = wake_name
        self._warm_up = warm_up

    async def __call__(self, command: SetListening) -> Sequence[BusMessage]:
        message = command.message
        if message.guild_id is None:
            raise InvalidArgument("I listen in servers' voice channels only; ask me from a server's text channel.")
        if not command.on:
            stopped = await self._listening.stop(message.guild_id)
            text = "I stopped listening. Nothing more is heard." if stopped else "I wasn't listening here."
            await self._chat.send_text(message.channel_id, text, reply_to=message.id)
            return ()
        channel = message.author_voice_channel_id
        if channel is None:
            raise InvalidArgument("Join a voice channel first, then turn listening on from there.")
        saved = await self._settings.load(message.space)
        marked = await self._listening.start(
            message.guild_id, channel, message.channel_id, opted_out=saved.listening_opted_out
        )
        # In the background: the reply goes now, and the first turn finds the recogniser and the voices ready.
        self._warm_up.warm(message.space)
        notice = (
            "" if marked else " My nickname can't show it here, so this notice stands while I listen; turn it off with "
        )
        await self._chat.send_text(
            message.channel_id,
            say(
                "🎙️ I'm listening in ",
                ChannelRef(channel),
                f" now. Talk to me there; when others are with you, start with “{self._wake_name}, …”. ",
                # Members are told before they speak whether their words are kept.
                _kept(saved.keep_voice_transcripts),
                " Anyone can opt out with ",
                CommandRef("listen optout"),
                "." + notice,
                CommandRef("listen off") if notice else "",
                "." if notice else "",
            ),
            reply_to=message.id,
        )
        return ()


class SetListeningConsentHandler:
    def __init__(self, chat: ChatOutput, listening: VoiceListening, settings: SettingsStore) -> None:
        self._chat = chat
        self._listening = listening
        self._settings = settings

    async def __call__(self, command: SetListeningConsent) -> Sequence[BusMessage]:
        message = command.message
        if message.guild_id is None:
            raise InvalidArgument("Opting out is per server; ask me from a server's text channel.")
        member = message.author.id

        def consent(settings: SpaceSettings) -> SpaceSettings:
            before = settings.listening_opted_out
            return replace(
                settings, listening_opted_out=(before | {member}) if command.opted_out else (before - {member})
            )

        # Saved first: should the listener fail, the choice still holds the next time listening starts.
        await self._settings.update(message.space, consent)
        await self._listening.set_opted_out(message.guild_id, member, command.opted_out)
        text = (
            "Done: I won't hear you in this server's voice channels; your audio is dropped unheard."
            if command.opted_out
            else "Done: I can hear you again when listening is on."
        )
        await self._chat.send_text(message.channel_id, text, reply_to=message.id)
        return ()


def _kept(keep: bool) -> Text:
    if keep:
        return say(
            "What I hear and answer is kept here as text (",
            CommandRef("settings voicelog"),
            "), never as audio; ",
            CommandRef("forget me"),
            " deletes yours.",
        )
    return say("Nothing you say is stored.")
