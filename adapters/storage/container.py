"""The storage adapter's wiring: each space's files, datasets, settings, logs and models under `storage.data_root`."""

from pathlib import Path

from dependency_injector import containers, providers

from adapters.config.settings import StorageSettings
from adapters.storage.artifact_cache import FilesystemArtifactCache
from adapters.storage.atomic import LineAppender
from adapters.storage.dataset_store import FilesystemDatasetStore
from adapters.storage.feedback_log import JsonLinesFeedbackLog
from adapters.storage.file_vault import FilesystemVault
from adapters.storage.instructions import InstructionsFile
from adapters.storage.layout import SpaceLayout
from adapters.storage.model_store import FilesystemModelStore
from adapters.storage.review_log import JsonLinesReviewStore
from adapters.storage.settings_store import JsonSettingsStore
from adapters.storage.voice_log import JsonLinesVoiceLog


def starter_cache_root(config: StorageSettings) -> Path:
    return config.data_root / "cache" / "starter"


class StorageContainer(containers.DeclarativeContainer):
    config = providers.Dependency(instance_of=StorageSettings)
    archives_kept = providers.Dependency(instance_of=int)

    layout = providers.Singleton(SpaceLayout, config.provided.data_root)
    appender = providers.Singleton(LineAppender)
    vault = providers.Singleton(FilesystemVault, layout, archives_kept=archives_kept)
    datasets = providers.Singleton(FilesystemDatasetStore, layout)
    space_settings = providers.Singleton(JsonSettingsStore, layout)
    feedback_log = providers.Singleton(JsonLinesFeedbackLog, layout, appender)
    review_store = providers.Singleton(JsonLinesReviewStore, layout, appender)
    voice_log = providers.Singleton(JsonLinesVoiceLog, layout, appender)
    model_store = providers.Singleton(FilesystemModelStore, layout)
    instructions = providers.Singleton(InstructionsFile, config.provided.instructions)
    # The starter model is cached under the data root by dataset hash, so a restart does not train it again.
    starter_cache = providers.Singleton(FilesystemArtifactCache, providers.Callable(starter_cache_root, config))
