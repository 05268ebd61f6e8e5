"""`application/privacy`: `privacy` says what Parrot keeps; `forget me` deletes a member's records everywhere."""

from dependency_injector import containers, providers

from application.ports.chat import ChatOutput
from application.privacy.forget_me import ForgetMeHandler
from application.privacy.show_privacy import ShowPrivacyHandler
from domain import commands


class Privacy(containers.DeclarativeContainer):
    chat_output = providers.Dependency(instance_of=ChatOutput)  # type: ignore[type-abstract]
    storage = providers.DependenciesContainer()
    learning = providers.DependenciesContainer()
    review = providers.DependenciesContainer()
    system = providers.DependenciesContainer()

    handlers = providers.Dict(
        {
            commands.ForgetMe: providers.Singleton(
                ForgetMeHandler,
                chat=chat_output,
                records=storage.member_records,
                overrides=learning.corrections,
                uncertain=learning.uncertain,
                conversation=learning.conversation,
                activity=review.activity,
                clock=system.clock,
            ),
            commands.ShowPrivacy: providers.Singleton(ShowPrivacyHandler, chat=chat_output),
        }
    )
    subscribers = providers.Dict({})
