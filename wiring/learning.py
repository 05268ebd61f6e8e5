"""`application/learning`: the active models, the starter, datasets, training and testing, and what users teach."""

from collections.abc import Mapping

from dependency_injector import containers, providers

from adapters.config.settings import ModelSettings, ParrotSettings
from application.chat.limits import RequestLimits
from application.chat.permissions import PrivilegePolicy
from application.jobs.runner import JobRunner
from application.learning.active_models import ActiveModels
from application.learning.conversation import ConversationMemory
from application.learning.correct_reply import CorrectReplyHandler
from application.learning.corrections import CorrectionOverrides
from application.learning.evaluate_model import EvaluateModelHandler
from application.learning.evaluation_job import RunTest, TestInput, TestRequest
from application.learning.models import ListModelsHandler, UseModelHandler
from application.learning.rate_reply import RateReplyHandler
from application.learning.select_dataset import SelectDatasetHandler
from application.learning.starter import StarterKnowledge
from application.learning.submit_feedback import ListFeedbackHandler, SubmitFeedbackHandler
from application.learning.train_model import ShowTrainingStatusHandler, TrainModelHandler
from application.learning.training_data import TrainingData
from application.learning.training_job import RunTraining, TrainingInput, TrainRequest
from application.learning.uncertain import UncertainMessages
from application.ports.chat import AttachmentSource, ChatOutput
from application.ports.model import ModelBackend
from domain import commands, events


def starter_backend(config: ModelSettings, backends: Mapping[str, ModelBackend]) -> ModelBackend | None:
    """The backend that builds the starter model, or None when the starter is switched off."""
    return backends.get(config.starter_backend) if config.starter else None


class Learning(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=ParrotSettings)
    limits = providers.Dependency(instance_of=RequestLimits)
    policy = providers.Dependency(instance_of=PrivilegePolicy)
    chat_output = providers.Dependency(instance_of=ChatOutput)  # type: ignore[type-abstract]
    attachments = providers.Dependency(instance_of=AttachmentSource)  # type: ignore[type-abstract]
    storage = providers.DependenciesContainer()
    model = providers.DependenciesContainer()
    datasets = providers.DependenciesContainer()
    system = providers.DependenciesContainer()
    work = providers.DependenciesContainer()
    jobs = providers.DependenciesContainer()

    conversation = providers.Singleton(ConversationMemory)
    corrections = providers.Singleton(CorrectionOverrides, log=storage.feedback_log)
    uncertain = providers.Singleton(UncertainMessages)
    # Starter knowledge answers untrained spaces; its model is cached under the data root by dataset hash.
    starter = providers.Singleton(
        StarterKnowledge,
        source=datasets.starter_source,
        cache=storage.starter_cache,
        backend=providers.Callable(starter_backend, settings.provided.model, model.backends),
        work=work.work_queue,
    )
    active_models = providers.Singleton(
        ActiveModels,
        backends=model.backends,
        store=storage.model_store,
        settings=storage.space_settings,
        starter=starter,
    )
    training_data = providers.Singleton(
        TrainingData,
        attachments=attachments,
        parser=datasets.dataset_parser,
        datasets=storage.datasets,
        settings=storage.space_settings,
        feedback=storage.feedback_log,
        max_bytes=limits.provided.dataset_bytes,
        min_examples_per_intent=settings.provided.model.min_examples_per_intent,
    )
    # Training and testing are jobs asked for with data; each request type has its use case, run in the background.
    training_input = providers.Singleton(
        TrainingInput,
        data=training_data,
        settings=storage.space_settings,
        starter=starter,
        keep_starter=settings.provided.model.keep_starter,
    )
    test_input = providers.Singleton(
        TestInput,
        data=training_data,
        models=active_models,
        store=storage.model_store,
        default_backend=model.default_backend,
    )
    runner = providers.Singleton(
        JobRunner,
        use_cases=providers.Dict(
            {
                TrainRequest: providers.Singleton(
                    RunTraining,
                    read=training_input,
                    data=training_data,
                    backends=model.backends,
                    store=storage.model_store,
                    models=active_models,
                    work=work.work_queue,
                    publish=jobs.publisher,
                    clock=system.clock,
                ),
                TestRequest: providers.Singleton(
                    RunTest,
                    read=test_input,
                    store=storage.model_store,
                    renderer=model.report_renderer,
                    work=work.work_queue,
                    publish=jobs.publisher,
                ),
            }
        ),
        clock=system.clock,
    )

    handlers = providers.Dict(
        {
            commands.SelectDataset: providers.Singleton(
                SelectDatasetHandler, chat=chat_output, datasets=storage.datasets, settings=storage.space_settings
            ),
            commands.SubmitFeedback: providers.Singleton(
                SubmitFeedbackHandler,
                chat=chat_output,
                log=storage.feedback_log,
                clock=system.clock,
                max_chars=limits.provided.feedback_chars,
            ),
            commands.ListFeedback: providers.Singleton(
                ListFeedbackHandler, chat=chat_output, log=storage.feedback_log, uncertain=uncertain
            ),
            commands.CorrectReply: providers.Singleton(
                CorrectReplyHandler,
                chat=chat_output,
                log=storage.feedback_log,
                conversation=conversation,
                overrides=corrections,
                uncertain=uncertain,
                clock=system.clock,
                max_chars=limits.provided.feedback_chars,
                daily_cap=limits.provided.corrections_per_member_per_day,
                policy=policy,
            ),
            commands.RateReply: providers.Singleton(
                RateReplyHandler, log=storage.feedback_log, conversation=conversation, clock=system.clock
            ),
            commands.TrainModel: providers.Singleton(
                TrainModelHandler,
                read=training_input,
                backends=model.backends,
                default_backend=model.default_backend,
                jobs=runner,
            ),
            commands.ShowTrainingStatus: providers.Singleton(
                ShowTrainingStatusHandler,
                chat=chat_output,
                jobs=runner,
                store=storage.model_store,
                settings=storage.space_settings,
                starter_enabled=starter.provided.enabled,
            ),
            commands.TestModel: providers.Singleton(EvaluateModelHandler, read=test_input, jobs=runner),
            commands.ListModels: providers.Singleton(
                ListModelsHandler,
                chat=chat_output,
                store=storage.model_store,
                settings=storage.space_settings,
                starter_enabled=starter.provided.enabled,
            ),
            commands.UseModel: providers.Singleton(
                UseModelHandler, chat=chat_output, store=storage.model_store, settings=storage.space_settings
            ),
        }
    )
    # The runner follows its jobs' events, so `train status` shows the stage a job last told.
    subscribers = providers.Dict(
        {
            events.JobStarted: providers.List(runner.provided.on_event),
            events.JobProgressed: providers.List(runner.provided.on_event),
            events.JobSucceeded: providers.List(runner.provided.on_event),
            events.JobFailed: providers.List(runner.provided.on_event),
            events.JobRefused: providers.List(runner.provided.on_event),
        }
    )
