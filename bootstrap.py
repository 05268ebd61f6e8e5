"""The composition root: the adapters' containers and the features' containers, composed.

Settings come in, validated (adapters/config); the driver that runs (Discord, the local chat, a test's
fake) fills the chat ports; `cli.py` picks the driver. Each adapter package wires itself
(`adapters/<name>/container.py`); each feature of `application/` is wired in `wiring/<feature>.py`.
This module only says which container gets what, and puts every handler on one bus.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence

from dependency_injector import containers, providers

from adapters.audio.container import AudioContainer
from adapters.config.settings import ParrotSettings
from adapters.database.container import DatabaseContainer
from adapters.datasets.container import DatasetsContainer
from adapters.model.container import ModelContainer
from adapters.speech.container import SpeechContainer
from adapters.storage.container import StorageContainer
from adapters.system.container import SystemContainer
from adapters.web.container import WebContainer
from adapters.work.container import WorkContainer
from application.messagebus import MessageBus
from application.ports.chat import AttachmentSource, ChatOutput, VoiceListening, VoiceOutput
from application.voice.no_listening import NoListening
from wiring.chat import Chat
from wiring.files import Files
from wiring.jobs import Execution, Jobs
from wiring.learning import Learning
from wiring.privacy import Privacy
from wiring.replying import Replying
from wiring.review import Review
from wiring.voice import Voice


def all_handlers(*features: Mapping[type, object]) -> dict[type, object]:
    """Every feature's command handlers on one bus; a command wired twice is a mistake, found at start-up."""
    merged: dict[type, object] = {}
    for handlers in features:
        for kind, handler in handlers.items():
            if kind in merged:
                raise ValueError(f"{kind.__name__} has a handler in two features")
            merged[kind] = handler
    return merged


def all_subscribers(*features: Mapping[type, Sequence[object]]) -> dict[type, list[object]]:
    """Every feature's subscribers to each event, in the order the features are given."""
    merged: defaultdict[type, list[object]] = defaultdict(list)
    for subscribers in features:
        for kind, listed in subscribers.items():
            merged[kind].extend(listed)
    return dict(merged)


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=ParrotSettings)

    # Outbound ports, filled by whichever driver runs: Discord, the local chat, or the fake Discord.
    # Protocols are abstract to mypy, yet runtime_checkable: exactly what instance_of needs.
    chat_output: providers.Dependency[ChatOutput] = providers.Dependency(
        instance_of=ChatOutput  # type: ignore[type-abstract]
    )
    voice_output: providers.Dependency[VoiceOutput] = providers.Dependency(
        instance_of=VoiceOutput  # type: ignore[type-abstract]
    )
    attachments: providers.Dependency[AttachmentSource] = providers.Dependency(
        instance_of=AttachmentSource  # type: ignore[type-abstract]
    )
    # Hearing voice channels: only drivers that see the packets can; the others answer that they can't.
    voice_listening: providers.Dependency[VoiceListening] = providers.Dependency(
        instance_of=VoiceListening,  # type: ignore[type-abstract]
        default=providers.Singleton(NoListening),
    )

    limits = providers.Singleton(settings.provided.limits.request_limits.call())
    policy = providers.Singleton(settings.provided.discord.privilege_policy.call())

    # Adapters, each wired by its own package from the settings section it needs.
    audio = providers.Container(AudioContainer, limits=limits)
    speech = providers.Container(
        SpeechContainer, config=settings.provided.speech, cache_dir=settings.provided.speech_cache_dir.call()
    )
    model = providers.Container(ModelContainer, config=settings.provided.model)
    datasets = providers.Container(DatasetsContainer, config=settings.provided.model, limits=limits)
    # Users' records in the database; files (uploads, artifacts, archives) under the data root.
    database = providers.Container(
        DatabaseContainer, config=settings.provided.storage, inbox_size=settings.provided.web.inbox_size
    )
    storage = providers.Container(
        StorageContainer,
        config=settings.provided.storage,
        archives_kept=settings.provided.limits.archives_kept,
        space_settings=database.space_settings,
        feedback_log=database.feedback_log,
        review_store=database.review_store,
        voice_log=database.voice_log,
        model_store=database.model_store,
        datasets=database.datasets,
        forget_requests=database.forget_requests,
        member_records=database.member_records,
    )
    system = providers.Container(SystemContainer)

    # Features, from the bottom up: each is given the ports, the adapters and the features it builds on.
    chat = providers.Container(Chat, settings=settings, chat_output=chat_output, storage=storage)
    execution = providers.Container(Execution, audio=audio, speech=speech, model=model)
    jobs = providers.Container(Jobs, chat_output=chat_output)
    work = providers.Container(WorkContainer, config=settings.provided.work, limits=limits, executor=execution.executor)
    learning = providers.Container(
        Learning,
        settings=settings,
        limits=limits,
        policy=policy,
        chat_output=chat_output,
        attachments=attachments,
        storage=storage,
        model=model,
        datasets=datasets,
        system=system,
        work=work,
        jobs=jobs,
    )
    files = providers.Container(Files, limits=limits, chat_output=chat_output, storage=storage)
    voice = providers.Container(
        Voice,
        settings=settings,
        limits=limits,
        chat_output=chat_output,
        voice_output=voice_output,
        voice_listening=voice_listening,
        attachments=attachments,
        audio=audio,
        storage=storage,
        system=system,
        work=work,
        chat=chat,
    )
    replying = providers.Container(Replying, limits=limits, chat_output=chat_output, storage=storage, learning=learning)
    review = providers.Container(
        Review,
        settings=settings,
        limits=limits,
        chat_output=chat_output,
        storage=storage,
        model=model,
        system=system,
        learning=learning,
        chat=chat,
    )
    privacy = providers.Container(
        Privacy, chat_output=chat_output, storage=storage, learning=learning, review=review, system=system
    )
    web = providers.Container(WebContainer, review=review)

    # One bus for every feature's commands and events (subscribers in this order: chat's log line first).
    command_handlers = providers.Callable(
        all_handlers,
        chat.handlers,
        files.handlers,
        learning.handlers,
        replying.handlers,
        voice.handlers,
        review.handlers,
        privacy.handlers,
    )
    event_handlers = providers.Callable(
        all_subscribers,
        chat.subscribers,
        learning.subscribers,
        jobs.subscribers,
        voice.subscribers,
        review.subscribers,
    )
    bus = providers.Singleton(
        MessageBus,
        command_handlers=command_handlers,
        event_handlers=event_handlers,
        chat=chat_output,
        admit=policy.provided.admit_command,
    )


class WorkerContainer(containers.DeclarativeContainer):
    """`parrot worker`: the speech and model backends, and the executor that runs jobs with them. No user data."""

    settings = providers.Dependency(instance_of=ParrotSettings)

    limits = providers.Singleton(settings.provided.limits.request_limits.call())
    audio = providers.Container(AudioContainer, limits=limits)
    speech = providers.Container(
        SpeechContainer, config=settings.provided.speech, cache_dir=settings.provided.speech_cache_dir.call()
    )
    model = providers.Container(ModelContainer, config=settings.provided.model)
    execution = providers.Container(Execution, audio=audio, speech=speech, model=model)
    executor = execution.executor


def build_worker(settings: ParrotSettings) -> WorkerContainer:
    container = WorkerContainer(settings=settings)
    container.check_dependencies()
    return container


def build_container(
    settings: ParrotSettings,
    chat: object,
    voice: object,
    attachments: object,
    *,
    listening: object | None = None,
    **overrides: object,
) -> Container:
    """The application, wired for `settings`, speaking through the given driver's ports.

    `listening` is given by drivers that can hear voice channels (Discord, the local chat's `/say`).

    `overrides` replace providers by name, in whichever sub-container they live (tests put in-memory fakes there).
    """
    container = Container(settings=settings, chat_output=chat, voice_output=voice, attachments=attachments)
    if listening is not None:
        container.voice_listening.override(providers.Object(listening))
    for name, value in overrides.items():
        provider_of(container, name).override(providers.Object(value))
    container.check_dependencies()
    container.jobs.publisher().connect(container.bus().handle)
    return container


# Containers and the links between them are found by name too, but only what they provide is overridden.
_NOT_OVERRIDDEN_BY_NAME = (providers.Container, providers.DependenciesContainer, providers.Dependency)


def provider_of(container: Container, name: str) -> providers.Provider[object]:
    """The provider called `name`, in whichever sub-container it lives: callers need not know the layout."""
    found = [
        provider
        for part in (container, *container.traverse(types=[providers.Container]))
        for provider in [getattr(part, name, None)]
        if isinstance(provider, providers.Provider) and not isinstance(provider, _NOT_OVERRIDDEN_BY_NAME)
    ]
    if len(found) != 1:
        raise KeyError(f"{len(found)} providers named {name!r} in the container, not one")
    return found[0]
