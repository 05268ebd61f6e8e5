"""`application/chat`: the general commands (hi, help, settings), the space's languages, and the log of events."""

from dependency_injector import containers, providers

from adapters.config.settings import ParrotSettings, SpeechSettings
from application.chat.event_log import log_event
from application.chat.greet import GreetHandler
from application.chat.languages import SpeechLanguages
from application.chat.settings import ChangeSettingsHandler
from application.chat.show_help import ShowHelpHandler, UnknownCommandHandler
from application.ports.chat import ChatOutput
from domain import commands, events
from domain.speech import language_code


def heard_languages(speech: SpeechSettings) -> list[str]:
    """The languages a space hears unless its `settings languages` say otherwise."""
    return list(dict.fromkeys(language_code(language) for language in speech.languages))


# Every change to a space's data or model, and every file sent out of it, leaves one line in the log.
LOGGED_EVENTS = (
    events.ReplyCorrected,
    events.ReplyRatedDown,
    events.TrainingStarted,
    events.ModelTrained,
    events.TrainingFailed,
    events.ModelTested,
    events.ModelActivated,
    events.FeedbackSubmitted,
    events.DatasetSelected,
    events.FilesArchived,
    events.FileSent,
)


class Chat(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=ParrotSettings)
    chat_output = providers.Dependency(instance_of=ChatOutput)  # type: ignore[type-abstract]
    storage = providers.DependenciesContainer()

    default_languages = providers.Callable(heard_languages, settings.provided.speech)
    languages = providers.Singleton(
        SpeechLanguages,
        settings=storage.space_settings,
        default=settings.provided.speech.language,
        by_guild=settings.provided.speech.guild_languages,
        detect=settings.provided.speech.detect_language,
        languages=settings.provided.speech.languages,
    )

    handlers = providers.Dict(
        {
            commands.Greet: providers.Singleton(GreetHandler, chat=chat_output),
            commands.ShowHelp: providers.Singleton(ShowHelpHandler, chat=chat_output),
            commands.UnknownCommand: providers.Singleton(UnknownCommandHandler, chat=chat_output),
            commands.ChangeSettings: providers.Singleton(
                ChangeSettingsHandler,
                chat=chat_output,
                settings=storage.space_settings,
                default_languages=default_languages,
                keep_starter=settings.provided.model.keep_starter,
            ),
        }
    )
    subscribers = providers.Dict({kind: providers.List(providers.Object(log_event)) for kind in LOGGED_EVENTS})
