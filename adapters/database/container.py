"""The database adapter's wiring: the record stores on `storage.database_url`, and the blobs beside them."""

from dependency_injector import containers, providers

from adapters.config.settings import StorageSettings
from adapters.database.blobs import blobs_for
from adapters.database.dataset_store import SqlDatasetStore
from adapters.database.engine import open_database
from adapters.database.feedback_log import SqlFeedbackLog
from adapters.database.forget_requests import SqlForgetRequests
from adapters.database.member_records import SqlMemberRecords
from adapters.database.model_store import SqlModelStore
from adapters.database.review_store import SqlReviewStore
from adapters.database.settings_store import SqlSettingsStore
from adapters.database.voice_log import SqlVoiceLog
from adapters.storage.layout import SpaceLayout


class DatabaseContainer(containers.DeclarativeContainer):
    config = providers.Dependency(instance_of=StorageSettings)
    inbox_size = providers.Dependency(instance_of=int)

    # One engine per process: its pool serves every store.
    database = providers.Singleton(open_database, config.provided.database_url)
    layout = providers.Singleton(SpaceLayout, config.provided.data_root)
    space_settings = providers.Singleton(SqlSettingsStore, database)
    feedback_log = providers.Singleton(SqlFeedbackLog, database)
    review_store = providers.Singleton(SqlReviewStore, database, per_space=inbox_size)
    voice_log = providers.Singleton(SqlVoiceLog, database)
    forget_requests = providers.Singleton(SqlForgetRequests, database)
    member_records = providers.Singleton(SqlMemberRecords, database)
    # Datasets' and models' bytes: files beside SQLite, rows in PostgreSQL (adapters/database/blobs.py).
    blobs = providers.Singleton(blobs_for, database, layout)
    model_store = providers.Singleton(SqlModelStore, database, blobs)
    datasets = providers.Singleton(SqlDatasetStore, database, blobs)
