"""`settings`: an admin sees and changes this space's settings; each change is checked, saved and confirmed."""

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from application.messagebus import BusMessage
from application.ports.chat import ChatOutput
from application.ports.storage import SettingsStore, SpaceSettings
from domain.commands import ChangeSettings
from domain.errors import InvalidArgument
from domain.languages import KNOWN_LANGUAGES, MAX_LANGUAGES
from domain.text import Code, CommandRef, Strong, Text, join_lines, say

SETTINGS = ("transcribe", "voice", "languages", "starter", "voicelog")
_SWITCH = {"on": True, "off": False, "yes": True, "no": False, "true": True, "false": False}
_TAG = re.compile(r"[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*")


class ChangeSettingsHandler:
    def __init__(
        self,
        chat: ChatOutput,
        settings: SettingsStore,
        default_languages: Sequence[str],
        keep_starter: bool = False,
    ) -> None:
        self._chat = chat
        self._settings = settings
        self._default_languages = tuple(default_languages)
        self._keep_starter = keep_starter

    async def __call__(self, command: ChangeSettings) -> Sequence[BusMessage]:
        message = command.message
        space = message.space
        current = await self._settings.load(space)
        name = command.setting.strip().lower()
        if not name:
            await self._chat.send_text(message.channel_id, self._shown(current), reply_to=message.id)
            return ()
        if name not in SETTINGS:
            raise InvalidArgument(
                say("I have no setting ", Code(command.setting), ". The settings are: ", ", ".join(SETTINGS), ".")
            )
        fields, confirmation = self._change(name, [value.strip() for value in command.values if value])
        # Read-modify-write under the store's lock: a model switched meanwhile by `train` is kept.
        await self._settings.update(space, lambda settings: replace(settings, **fields))
        await self._chat.send_text(message.channel_id, say("Saved. ", confirmation), reply_to=message.id)
        return ()

    def _change(self, name: str, values: list[str]) -> tuple[dict[str, Any], Text]:
        """The settings' fields to change and the confirmation; refuses an invalid value with the reason."""
        if name == "languages":
            languages = _languages(values)
            if not languages:
                return {"languages": ()}, say(
                    "I hear the configured languages again: ", " ".join(self._default_languages), "."
                )
            return {"languages": languages}, say("I hear ", " ".join(languages), " here now.")
        if name == "starter" and len(values) == 1 and values[0].lower() == "default":
            return {"keep_starter": None}, say(_starter_line(self._keep_starter), " (configured).")
        on = _switch(name, values)
        if name == "transcribe":
            return {"transcribe_voice": on}, _transcribe_line(on)
        if name == "voice":
            return {"spoken_replies": on}, _voice_line(on)
        if name == "voicelog":
            return {"keep_voice_transcripts": on}, _voicelog_line(on)
        return {"keep_starter": on}, _starter_line(on)

    def _shown(self, current: SpaceSettings) -> Text:
        languages = " ".join(current.languages) if current.languages else " ".join(self._default_languages)
        configured = " (configured)" if not current.languages else ""
        keep = current.keep_starter if current.keep_starter is not None else self._keep_starter
        starter_note = " (configured)" if current.keep_starter is None else ""
        return join_lines(
            [
                say(Strong("Settings here"), ":"),
                say(
                    "- transcribe ",
                    Strong(_word(current.transcribe_voice)),
                    ": ",
                    _transcribe_line(current.transcribe_voice),
                ),
                say("- voice ", Strong(_word(current.spoken_replies)), ": ", _voice_line(current.spoken_replies)),
                say("- languages ", Strong(languages), f"{configured}: the languages I hear in voice messages."),
                say("- starter ", Strong(_word(keep)), f"{starter_note}: ", _starter_line(keep)),
                say(
                    "- voicelog ",
                    Strong(_word(current.keep_voice_transcripts)),
                    ": ",
                    _voicelog_line(current.keep_voice_transcripts),
                ),
                say(
                    "Change one with ",
                    # Each example is the change that can be made from here: the opposite of what is set.
                    CommandRef(f"settings transcribe {_word(not current.transcribe_voice)}"),
                    ", ",
                    CommandRef(f"settings voice {_word(not current.spoken_replies)}"),
                    ", ",
                    CommandRef(f"settings voicelog {_word(not current.keep_voice_transcripts)}"),
                    ", ",
                    CommandRef("settings languages en ru"),
                    " (",
                    CommandRef("settings languages default"),
                    " for the configured ones) or ",
                    CommandRef(f"settings starter {_word(not keep)}"),
                    ".",
                ),
            ]
        )


def _word(on: bool) -> str:
    return "on" if on else "off"


def _transcribe_line(on: bool) -> Text:
    if on:
        return say("voice messages and audio files are transcribed and answered.")
    return say("voice messages are not transcribed unless someone asks (Transcribe in the message menu).")


def _voice_line(on: bool) -> Text:
    return say("replies are spoken in my voice channel." if on else "I stay silent in voice channels.")


def _starter_line(on: bool) -> Text:
    if on:
        return say(CommandRef("train"), " keeps my starter knowledge alongside your data.")
    return say(CommandRef("train"), " replaces my starter knowledge with your data.")


def _voicelog_line(on: bool) -> Text:
    if on:
        return say(
            "what I hear and answer in voice channels is kept as text (who, when, where, what, my answer) until ",
            CommandRef("forget me"),
            "; never any audio.",
        )
    return say("nothing said in voice channels is kept: heard, answered, forgotten.")


def _switch(name: str, values: list[str]) -> bool:
    if len(values) != 1 or values[0].lower() not in _SWITCH:
        given = " ".join(values)
        what = say(", not ", Code(given)) if given else ""
        raise InvalidArgument(
            say(CommandRef(f"settings {name}"), " takes ", Code("on"), " or ", Code("off"), what, ".")
        )
    return _SWITCH[values[0].lower()]


def _languages(values: list[str]) -> tuple[str, ...]:
    """The codes given (`en`, `ru-RU` -> `ru`), checked; empty for `default`."""
    if not values:
        raise InvalidArgument(
            say("Name the languages to hear, for example ", CommandRef("settings languages en ru"), ".")
        )
    if len(values) == 1 and values[0].lower() == "default":
        return ()
    codes: list[str] = []
    for value in values:
        tag = value.lower()
        code = re.split("[-_]", tag)[0]
        if not _TAG.fullmatch(tag) or code not in KNOWN_LANGUAGES:
            raise InvalidArgument(
                say(
                    Code(value, 20),
                    " is not a language I can hear; use codes like ",
                    Code("en"),
                    " or ",
                    Code("ru"),
                    ".",
                )
            )
        if code not in codes:
            codes.append(code)
    if len(codes) > MAX_LANGUAGES:
        raise InvalidArgument(f"At most {MAX_LANGUAGES} languages: detection gets slower and less sure past that.")
    return tuple(codes)
