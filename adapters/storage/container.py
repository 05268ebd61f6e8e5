"""The storage adapter's wiring: each space's files and archives under `storage.data_root`, and the instructions.

The record stores (settings, the logs, the inbox, model and dataset metadata) are holes the composition root fills
with the database's (adapters/database/container.py); only the files users reach by path are this adapter's.
"""

from pathlib import Path

from dependency_injector import containers, providers

from adapters.config.settings import StorageSettings
from adapters.storage.artifact_cache import FilesystemArtifactCache
from adapters.storage.file_vault import FilesystemVault
from adapters.storage.instructions import InstructionsFile
from adapters.storage.layout import SpaceLayout
from application.ports.model import ModelStore
from application.ports.review import ReviewStore
from application.ports.storage import (
    DatasetStore,
    FeedbackLog,
    ForgetRequests,
    MemberRecords,
    SettingsStore,
    VoiceTranscriptLog,
)


def starter_cache_root(config: StorageSettings) -> Path:
    return config.data_root / "cache" / "starter"


class StorageContainer(containers.DeclarativeContainer):
    config = providers.Dependency(instance_of=StorageSettings)
    archives_kept = providers.Dependency(instance_of=int)

    layout = providers.Singleton(SpaceLayout, config.provided.data_root)
    vault = providers.Singleton(FilesystemVault, layout, archives_kept=archives_kept)
    # Users' records are the database's (adapters/database/container.py): the composition root gives its stores.
    datasets = providers.Dependency(instance_of=DatasetStore)  # type: ignore[type-abstract]
    space_settings = providers.Dependency(instance_of=SettingsStore)  # type: ignore[type-abstract]
    feedback_log = providers.Dependency(instance_of=FeedbackLog)  # type: ignore[type-abstract]
    review_store = providers.Dependency(instance_of=ReviewStore)  # type: ignore[type-abstract]
    voice_log = providers.Dependency(instance_of=VoiceTranscriptLog)  # type: ignore[type-abstract]
    model_store = providers.Dependency(instance_of=ModelStore)  # type: ignore[type-abstract]
    forget_requests = providers.Dependency(instance_of=ForgetRequests)  # type: ignore[type-abstract]
    member_records = providers.Dependency(instance_of=MemberRecords)  # type: ignore[type-abstract]
    instructions = providers.Singleton(InstructionsFile, config.provided.instructions)
    # The starter model is cached under the data root by dataset hash, so a restart does not train it again.
    starter_cache = providers.Singleton(FilesystemArtifactCache, providers.Callable(starter_cache_root, config))
