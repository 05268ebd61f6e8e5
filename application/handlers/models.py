from collections.abc import Sequence
from dataclasses import replace

from application.messagebus import BusMessage
from application.permissions import PrivilegePolicy
from application.ports.chat import ChatOutput
from application.ports.model import ModelStore
from application.ports.storage import SettingsStore
from domain.commands import ListModels, UseModel
from domain.errors import InvalidArgument, NotFound
from domain.events import ModelActivated


class ListModelsHandler:
    def __init__(
        self,
        chat: ChatOutput,
        store: ModelStore,
        settings: SettingsStore,
        policy: PrivilegePolicy,
        prefix: str,
        starter_enabled: bool = False,
    ) -> None:
        self._starter_enabled = starter_enabled
        self._chat = chat
        self._store = store
        self._settings = settings
        self._policy = policy
        self._prefix = prefix

    async def __call__(self, command: ListModels) -> Sequence[BusMessage]:
        message = command.message
        self._policy.require(message, "model")
        versions = await self._store.list_versions(message.space)
        active = (await self._settings.load(message.space)).active_model
        if not versions:
            text = f"No model has been trained here yet. Use `{self._prefix}train`."
            if self._starter_enabled:
                text += (
                    " Active: the **starter** model (the basics, in English and Russian); "
                    f"`{self._prefix}train` replaces it, `{self._prefix}train --with-starter` keeps it."
                )
        else:
            lines = ["Model versions:"]
            for version in versions[-15:]:
                mark = " **(active)**" if version.number == active else ""
                when = version.created_at.strftime("%Y-%m-%d %H:%M")
                lines.append(
                    f"- `{version.number}` {when} {version.backend}, `{version.dataset_name}`, "
                    f"{version.example_count} examples, {len(version.intents)} intents{mark}"
                )
            if active is None and self._starter_enabled:
                lines.append("Active: the **starter** model.")
            lines.append(f"Switch with `{self._prefix}model use N`.")
            text = "\n".join(lines)
        await self._chat.send_text(message.channel_id, text, reply_to=message.id)
        return ()


class UseModelHandler:
    def __init__(self, chat: ChatOutput, store: ModelStore, settings: SettingsStore, policy: PrivilegePolicy) -> None:
        self._chat = chat
        self._store = store
        self._settings = settings
        self._policy = policy

    async def __call__(self, command: UseModel) -> Sequence[BusMessage]:
        message = command.message
        self._policy.require(message, "model use")
        wanted = command.version.strip()
        if not wanted.isdigit() or len(wanted) > 9:
            raise InvalidArgument("Give the version number to use, for example `model use 2`.")
        number = int(wanted)
        versions = await self._store.list_versions(message.space)
        if number not in {version.number for version in versions}:
            raise NotFound(f"There is no model version {number} here.")
        settings = await self._settings.load(message.space)
        await self._settings.save(message.space, replace(settings, active_model=number))
        await self._chat.send_text(message.channel_id, f"Model version {number} is now active.", reply_to=message.id)
        return [ModelActivated(message.space, number)]
