"""The model each space answers with: loaded once, switched without a restart."""

import asyncio
from collections.abc import Mapping

from application.learning.starter import StarterKnowledge
from application.ports.model import IntentModel, ModelBackend, ModelStore
from application.ports.storage import SettingsStore
from domain.errors import NoModel
from domain.spaces import Space


class ActiveModels:
    def __init__(
        self,
        backends: Mapping[str, ModelBackend],
        store: ModelStore,
        settings: SettingsStore,
        starter: StarterKnowledge | None = None,
    ) -> None:
        self._backends = backends
        self._store = store
        self._settings = settings
        self._starter = starter
        self._loaded: dict[Space, tuple[int, IntentModel]] = {}
        self._locks: dict[Space, asyncio.Lock] = {}

    async def get(self, space: Space) -> tuple[int, IntentModel] | None:
        """The active version and its loaded model, or None when the space has none yet."""
        # Read at every answer: another process (`parrot train`, `!model use` on another shard) may have
        # activated another version, and that version answers from the next message on.
        number = (await self._settings.load(space)).active_model
        if number is None:
            return None
        loaded = self._loaded.get(space)
        if loaded is not None and loaded[0] == number:
            return loaded
        async with self._locks.setdefault(space, asyncio.Lock()):
            loaded = self._loaded.get(space)
            if loaded is not None and loaded[0] == number:
                return loaded
            artifact = await self._store.load_artifact(space, number)
            backend = self._backends.get(artifact.backend)
            if backend is None:
                raise NoModel(
                    f"Model version {number} was trained with the `{artifact.backend}` backend, "
                    "which this configuration does not enable."
                )
            model = await backend.load(artifact)
            self._loaded[space] = (number, model)
            return number, model

    async def answering(self, space: Space) -> tuple[int | None, IntentModel] | None:
        """The model that answers in `space`: its active version, else the starter (version None), else None."""
        active = await self.get(space)
        if active is not None:
            return active
        starter = await self._starter.model() if self._starter is not None else None
        return (None, starter) if starter is not None else None

    def put(self, space: Space, number: int, model: IntentModel) -> None:
        """Use an already loaded model, so a fresh training result answers without being loaded twice."""
        self._loaded[space] = (number, model)
