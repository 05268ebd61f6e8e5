"""`application/replying`: every message that is not a command is answered by the correction or the active model."""

from dependency_injector import containers, providers

from application.chat.limits import RequestLimits
from application.ports.chat import ChatOutput
from application.replying.reply_to_message import ReplyToMessageHandler
from domain import commands


class Replying(containers.DeclarativeContainer):
    limits = providers.Dependency(instance_of=RequestLimits)
    chat_output = providers.Dependency(instance_of=ChatOutput)  # type: ignore[type-abstract]
    storage = providers.DependenciesContainer()
    learning = providers.DependenciesContainer()

    handlers = providers.Dict(
        {
            commands.ReplyToMessage: providers.Singleton(
                ReplyToMessageHandler,
                chat=chat_output,
                models=learning.active_models,
                overrides=learning.corrections,
                conversation=learning.conversation,
                uncertain=learning.uncertain,
                settings=storage.space_settings,
                answer_seconds=limits.provided.answer_seconds,
            ),
        }
    )
    subscribers = providers.Dict({})
