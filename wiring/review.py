"""`application/review`: what Parrot answered (the activity log), the page's read models, and its actions."""

from dependency_injector import containers, providers

from adapters.config.settings import ParrotSettings
from application.chat.limits import RequestLimits
from application.ports.chat import ChatOutput
from application.review.actions import IgnoreMessagesHandler, RetractCorrectionHandler, UploadDatasetHandler
from application.review.activity import ActivityLog
from application.review.data import DatasetDownload, SpaceData
from application.review.inbox import ReviewInbox
from application.review.intents import IntentAnswers
from application.review.models import JobStatus, ModelHistory, ReportPicture
from application.review.overview import Overview
from application.review.settings import ServerSettings
from domain import commands, events


class Review(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=ParrotSettings)
    limits = providers.Dependency(instance_of=RequestLimits)
    chat_output = providers.Dependency(instance_of=ChatOutput)  # type: ignore[type-abstract]
    storage = providers.DependenciesContainer()
    model = providers.DependenciesContainer()
    system = providers.DependenciesContainer()
    learning = providers.DependenciesContainer()
    chat = providers.DependenciesContainer()

    activity = providers.Singleton(
        ActivityLog,
        clock=system.clock,
        store=storage.review_store,
        forgotten=storage.forget_requests,
        per_space=settings.provided.web.inbox_size,
    )
    models = providers.Singleton(
        ModelHistory, store=storage.model_store, settings=storage.space_settings, jobs=learning.runner
    )
    overview = providers.Singleton(Overview, models=models, activity=activity)
    inbox = providers.Singleton(ReviewInbox, activity=activity, meaning=model.meaning)
    picture = providers.Singleton(ReportPicture, store=storage.model_store)
    job = providers.Singleton(JobStatus, jobs=learning.runner)
    data = providers.Singleton(
        SpaceData,
        datasets=storage.datasets,
        settings=storage.space_settings,
        log=storage.feedback_log,
        voice_log=storage.voice_log,
    )
    download = providers.Singleton(DatasetDownload, datasets=storage.datasets, max_bytes=limits.provided.dataset_bytes)
    answers = providers.Singleton(IntentAnswers, data=learning.training_data)
    server_settings = providers.Singleton(
        ServerSettings,
        settings=storage.space_settings,
        default_languages=chat.default_languages,
        keep_starter=settings.provided.model.keep_starter,
    )

    handlers = providers.Dict(
        {
            commands.RetractCorrection: providers.Singleton(
                RetractCorrectionHandler,
                chat=chat_output,
                log=storage.feedback_log,
                overrides=learning.corrections,
                clock=system.clock,
            ),
            commands.IgnoreMessages: providers.Singleton(IgnoreMessagesHandler, chat=chat_output, activity=activity),
            commands.UploadDataset: providers.Singleton(
                UploadDatasetHandler, chat=chat_output, data=learning.training_data
            ),
        }
    )
    subscribers = providers.Dict(
        {
            events.ReplyProduced: providers.List(activity.provided.on_reply),
            events.ReplyCorrected: providers.List(activity.provided.on_corrected),
            events.ReplyRatedDown: providers.List(activity.provided.on_rated_down),
        }
    )
