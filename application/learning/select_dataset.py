from collections.abc import Sequence
from dataclasses import replace

from application.messagebus import BusMessage
from application.ports.chat import ChatOutput
from application.ports.storage import DatasetStore, SettingsStore
from domain.commands import SelectDataset
from domain.errors import NotFound, format_bytes
from domain.events import DatasetSelected
from domain.text import Code, CommandRef, Strong, Text, codes, join_lines, say


class SelectDatasetHandler:
    def __init__(self, chat: ChatOutput, datasets: DatasetStore, settings: SettingsStore) -> None:
        self._chat = chat
        self._datasets = datasets
        self._settings = settings

    async def __call__(self, command: SelectDataset) -> Sequence[BusMessage]:
        message = command.message
        space = message.space
        available = await self._datasets.list_datasets(space)
        current = (await self._settings.load(space)).active_dataset
        name = command.name.strip()
        if not name:
            if not available:
                text = say("There are no datasets yet. Attach one to ", CommandRef("train"), " and it is kept here.")
            else:
                lines: list[Text | str] = ["Datasets:"]
                for info in available:
                    mark = say(" ", Strong("(selected)")) if info.name == current else ""
                    lines.append(say("- ", Code(info.name), f" ({format_bytes(info.size)})", mark))
                lines.append(say("Choose one with ", CommandRef("select_dataset NAME"), "."))
                text = join_lines(lines)
            await self._chat.send_text(message.channel_id, text, reply_to=message.id)
            return ()
        # Only names the store listed can be selected: a user's string never becomes a path here.
        names = {info.name for info in available}
        if name not in names:
            shown = codes(sorted(names)[:10]) or "none yet"
            raise NotFound(say("There is no dataset ", Code(name), ". Available: ", shown, "."))
        await self._settings.update(space, lambda settings: replace(settings, active_dataset=name))
        await self._chat.send_text(
            message.channel_id,
            say("Selected ", Code(name), ". ", CommandRef("train"), " without data now trains on it."),
            reply_to=message.id,
        )
        return [DatasetSelected(space, name)]
