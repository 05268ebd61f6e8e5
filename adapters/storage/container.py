"""The storage adapter's wiring: each space's files, datasets, settings, logs and models under `storage.data_root`.

The record stores (settings, the logs, the inbox, model and dataset metadata) are holes the composition root fills
with the database's (adapters/database/container.py); left unfilled, they are the files here.
"""

from pathlib import Path

from dependency_injector import containers, providers

from adapters.config.settings import StorageSettings
from adapters.storage.artifact_cache import FilesystemArtifactCache
from adapters.storage.atomic import LineAppender
from adapters.storage.dataset_store import FilesystemDatasetStore
from adapters.storage.feedback_log import JsonLinesFeedbackLog
from adapters.storage.file_vault import FilesystemVault
from adapters.storage.forget_requests import ProcessForgetRequests
from adapters.storage.instructions import InstructionsFile
from adapters.storage.layout import SpaceLayout
from adapters.storage.model_store import FilesystemModelStore
from adapters.storage.review_log import JsonLinesReviewStore
from adapters.storage.settings_store import JsonSettingsStore
from adapters.storage.voice_log import JsonLinesVoiceLog
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
    appender = providers.Singleton(LineAppender)
    vault = providers.Singleton(FilesystemVault, layout, archives_kept=archives_kept)
    datasets = providers.Dependency(
        instance_of=DatasetStore,  # type: ignore[type-abstract]
        default=providers.Singleton(FilesystemDatasetStore, layout),
    )
    space_settings = providers.Dependency(
        instance_of=SettingsStore,  # type: ignore[type-abstract]
        default=providers.Singleton(JsonSettingsStore, layout),
    )
    feedback_log = providers.Dependency(
        instance_of=FeedbackLog,  # type: ignore[type-abstract]
        default=providers.Singleton(JsonLinesFeedbackLog, layout, appender),
    )
    review_store = providers.Dependency(
        instance_of=ReviewStore,  # type: ignore[type-abstract]
        default=providers.Singleton(JsonLinesReviewStore, layout, appender),
    )
    voice_log = providers.Dependency(
        instance_of=VoiceTranscriptLog,  # type: ignore[type-abstract]
        default=providers.Singleton(JsonLinesVoiceLog, layout, appender),
    )
    model_store = providers.Dependency(
        instance_of=ModelStore,  # type: ignore[type-abstract]
        default=providers.Singleton(FilesystemModelStore, layout),
    )
    forget_requests = providers.Dependency(
        instance_of=ForgetRequests,  # type: ignore[type-abstract]
        default=providers.Singleton(ProcessForgetRequests),
    )
    # `forget me` across every store at once: only a database does it in one transaction, so no files default.
    member_records = providers.Dependency(instance_of=MemberRecords)  # type: ignore[type-abstract]
    instructions = providers.Singleton(InstructionsFile, config.provided.instructions)
    # The starter model is cached under the data root by dataset hash, so a restart does not train it again.
    starter_cache = providers.Singleton(FilesystemArtifactCache, providers.Callable(starter_cache_root, config))
