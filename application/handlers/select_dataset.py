from collections.abc import Sequence
from dataclasses import replace

from application.messagebus import BusMessage
from application.permissions import PrivilegePolicy
from application.ports.chat import ChatOutput
from application.ports.storage import DatasetStore, SettingsStore
from domain.commands import SelectDataset
from domain.errors import NotFound, format_bytes
from domain.events import DatasetSelected
from domain.quoting import code


class SelectDatasetHandler:
    def __init__(
        self, chat: ChatOutput, datasets: DatasetStore, settings: SettingsStore, policy: PrivilegePolicy, prefix: str
    ) -> None:
        self._chat = chat
        self._datasets = datasets
        self._settings = settings
        self._policy = policy
        self._prefix = prefix

    async def __call__(self, command: SelectDataset) -> Sequence[BusMessage]:
        message = command.message
        self._policy.require(message, "select_dataset")
        space = message.space
        available = await self._datasets.list_datasets(space)
        current = (await self._settings.load(space)).active_dataset
        name = command.name.strip()
        if not name:
            if not available:
                text = f"There are no datasets yet. Attach one to `{self._prefix}train` and it is kept here."
            else:
                lines = ["Datasets:"]
                for info in available:
                    mark = " **(selected)**" if info.name == current else ""
                    lines.append(f"- `{info.name}` ({format_bytes(info.size)}){mark}")
                lines.append(f"Choose one with `{self._prefix}select_dataset NAME`.")
                text = "\n".join(lines)
            await self._chat.send_text(message.channel_id, text, reply_to=message.id)
            return ()
        # Only names the store listed can be selected: a user's string never becomes a path here.
        names = {info.name for info in available}
        if name not in names:
            hint = ", ".join(f"`{n}`" for n in sorted(names)[:10]) or "none yet"
            raise NotFound(f"There is no dataset {code(name)}. Available: {hint}.")
        await self._settings.update(space, lambda settings: replace(settings, active_dataset=name))
        await self._chat.send_text(
            message.channel_id,
            f"Selected `{name}`. `{self._prefix}train` without data now trains on it.",
            reply_to=message.id,
        )
        return [DatasetSelected(space, name)]
