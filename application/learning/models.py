from collections.abc import Sequence
from dataclasses import replace

from application.messagebus import BusMessage
from application.ports.chat import ChatOutput
from application.ports.model import ModelStore
from application.ports.storage import SettingsStore
from domain.commands import ListModels, UseModel
from domain.errors import InvalidArgument, NotFound
from domain.events import ModelActivated
from domain.text import Code, CommandRef, Strong, Text, join_lines, say


class ListModelsHandler:
    def __init__(
        self, chat: ChatOutput, store: ModelStore, settings: SettingsStore, starter_enabled: bool = False
    ) -> None:
        self._starter_enabled = starter_enabled
        self._chat = chat
        self._store = store
        self._settings = settings

    async def __call__(self, command: ListModels) -> Sequence[BusMessage]:
        message = command.message
        versions = await self._store.list_versions(message.space)
        active = (await self._settings.load(message.space)).active_model
        if not versions:
            text = say("No model has been trained here yet. Use ", CommandRef("train"), ".")
            if self._starter_enabled:
                text = say(
                    text,
                    " Active: the ",
                    Strong("starter"),
                    " model (the basics, in English and Russian); ",
                    CommandRef("train"),
                    " replaces it, ",
                    CommandRef("train --with-starter"),
                    " keeps it.",
                )
        else:
            lines: list[Text | str] = ["Model versions:"]
            for version in versions[-15:]:
                mark = say(" ", Strong("(active)")) if version.number == active else ""
                when = version.created_at.strftime("%Y-%m-%d %H:%M")
                lines.append(
                    say(
                        f"- `{version.number}` {when} {version.backend}, ",
                        Code(version.dataset_name),
                        f", {version.example_count} examples, {len(version.intents)} intents",
                        mark,
                    )
                )
            if active is None and self._starter_enabled:
                lines.append(say("Active: the ", Strong("starter"), " model."))
            lines.append(say("Switch with ", CommandRef("model use N"), "."))
            text = join_lines(lines)
        await self._chat.send_text(message.channel_id, text, reply_to=message.id)
        return ()


class UseModelHandler:
    def __init__(self, chat: ChatOutput, store: ModelStore, settings: SettingsStore) -> None:
        self._chat = chat
        self._store = store
        self._settings = settings

    async def __call__(self, command: UseModel) -> Sequence[BusMessage]:
        message = command.message
        wanted = command.version.strip()
        if not wanted.isdigit() or len(wanted) > 9:
            raise InvalidArgument(say("Give the version number to use, for example ", CommandRef("model use 2"), "."))
        number = int(wanted)
        versions = await self._store.list_versions(message.space)
        if number not in {version.number for version in versions}:
            raise NotFound(f"There is no model version {number} here.")
        await self._settings.update(message.space, lambda settings: replace(settings, active_model=number))
        await self._chat.send_text(message.channel_id, f"Model version {number} is now active.", reply_to=message.id)
        return [ModelActivated(message.space, number)]
