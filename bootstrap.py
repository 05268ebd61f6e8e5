"""The composition root: settings -> container -> the chosen driver. The only module that names concrete adapters."""

import argparse
import asyncio
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO, TypeVar

from dependency_injector import containers, providers

from adapters.audio.codec import PyAvAudioCodec
from adapters.config.settings import ConfigurationError, ParrotSettings, load_settings, masked
from adapters.datasets.parser import DatasetFileParser
from adapters.logs.setup import configure_logging
from adapters.model.confusion_png import ConfusionMatrixRenderer
from adapters.model.embedded import EmbeddedBackend
from adapters.model.hybrid import HybridBackend
from adapters.model.openai_compatible import OpenAICompatibleBackend
from adapters.model.tfidf import TfidfBackend
from adapters.speech.espeak import EspeakTextToSpeech
from adapters.speech.fallback import FallbackSpeechToText
from adapters.speech.google import GOOGLE_SPEECH_ENDPOINT, GoogleSpeechToText
from adapters.speech.gtts import GttsTextToSpeech
from adapters.speech.piper import PiperTextToSpeech
from adapters.speech.routing import LanguageRoutingTextToSpeech
from adapters.speech.sphinx import SphinxSpeechToText
from adapters.speech.whisper import WhisperSpeechToText
from adapters.storage.atomic import LineAppender
from adapters.storage.dataset_store import FilesystemDatasetStore
from adapters.storage.feedback_log import JsonLinesFeedbackLog
from adapters.storage.file_vault import FilesystemVault
from adapters.storage.instructions import InstructionsFile
from adapters.storage.layout import SpaceLayout
from adapters.storage.model_store import FilesystemModelStore
from adapters.storage.settings_store import JsonSettingsStore
from adapters.system.clock import SystemClock
from application.active_models import ActiveModels
from application.conversation import ConversationMemory
from application.corrections import CorrectionOverrides
from application.handlers.archive_files import ArchiveFilesHandler
from application.handlers.correct_reply import CorrectReplyHandler
from application.handlers.get_file import GetFileHandler
from application.handlers.greet import GreetHandler
from application.handlers.join_voice import JoinVoiceHandler
from application.handlers.leave_voice import LeaveVoiceHandler
from application.handlers.models import ListModelsHandler, UseModelHandler
from application.handlers.reply_to_message import ReplyToMessageHandler
from application.handlers.select_dataset import SelectDatasetHandler
from application.handlers.send_instruction import SendInstructionHandler
from application.handlers.show_help import ShowHelpHandler, UnknownCommandHandler
from application.handlers.speak_text import SpeakTextHandler, speak_replies_in_voice
from application.handlers.submit_feedback import ListFeedbackHandler, SubmitFeedbackHandler
from application.handlers.subscribers import log_event
from application.handlers.test_model import TestModelHandler
from application.handlers.train_model import ShowTrainingStatusHandler, TrainModelHandler
from application.handlers.transcribe_audio import TranscribeAudioHandler
from application.jobs import JobRunner
from application.languages import SpeechLanguages
from application.limits import MB, Limits
from application.messagebus import MessageBus
from application.permissions import PrivilegePolicy
from application.ports.chat import AttachmentSource, ChatOutput, VoiceOutput
from application.ports.speech import SpeechToText
from application.publisher import EventPublisher
from application.training_data import TrainingData
from application.uncertain import UncertainMessages
from application.voice_sessions import VoiceSessions
from application.work_gate import WorkGate
from domain import commands, events

if TYPE_CHECKING:
    from adapters.discord import DiscordConfig


class Closable(Protocol):
    def close(self) -> None: ...


B = TypeVar("B", bound=Closable)


def opened(backend: B) -> Iterator[B]:
    """A backend that holds worker threads, closed by `container.shutdown_resources()`."""
    try:
        yield backend
    finally:
        backend.close()


def chain_recognisers(names: Sequence[str], found: Mapping[str, SpeechToText]) -> SpeechToText:
    """The configured recogniser, or a chain that falls back to the next when one fails."""
    unique = list(dict.fromkeys(names))
    if len(unique) == 1:
        return found[unique[0]]
    return FallbackSpeechToText([found[name] for name in unique])


def policy_from(settings: ParrotSettings) -> PrivilegePolicy:
    return PrivilegePolicy(frozenset(settings.discord.privileged_roles), settings.discord.allow_direct_messages)


def discord_config_from(settings: ParrotSettings) -> "DiscordConfig":
    from adapters.discord import DiscordConfig

    discord = settings.discord
    return DiscordConfig(
        prefix=discord.prefix,
        api_base=discord.api_base,
        gateway_url=discord.gateway_url,
        voice_ca_file=discord.voice_ca_file,
        guild_ready_timeout=discord.guild_ready_timeout,
        owner_ids=frozenset(discord.owner_ids),
    )


def limits_from(settings: ParrotSettings) -> Limits:
    limits = settings.limits
    return Limits(
        attachment_bytes=int(limits.attachment_mb * MB),
        audio_seconds=limits.audio_seconds,
        dataset_bytes=int(limits.dataset_mb * MB),
        file_bytes=int(limits.file_mb * MB),
        archive_bytes=int(limits.archive_mb * MB),
        archive_entries=limits.archive_entries,
        feedback_chars=limits.feedback_chars,
        heavy_running=limits.heavy_jobs_running,
        heavy_waiting=limits.heavy_jobs_waiting,
        answer_seconds=limits.answer_seconds,
        hearing_seconds=limits.hearing_seconds,
    )


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=ParrotSettings)

    # Outbound ports, filled by whichever driver runs: Discord, the local chat, or the fake Discord.
    # Protocols are abstract to mypy, yet runtime_checkable: exactly what instance_of needs.
    chat: providers.Dependency[ChatOutput] = providers.Dependency(instance_of=ChatOutput)  # type: ignore[type-abstract]
    voice: providers.Dependency[VoiceOutput] = providers.Dependency(instance_of=VoiceOutput)  # type: ignore[type-abstract]
    attachments: providers.Dependency[AttachmentSource] = providers.Dependency(
        instance_of=AttachmentSource  # type: ignore[type-abstract]
    )

    # Speech and model backends; each is chosen by configuration.

    limits = providers.Singleton(limits_from, settings)

    # Speech: the recogniser and the voice are chosen by configuration; models load on first use.
    speech_cache = providers.Callable(
        lambda s: s.speech.cache_dir or s.storage.data_root / "cache" / "speech", settings
    )
    codec = providers.Singleton(lambda lim: PyAvAudioCodec(max_bytes=lim.attachment_bytes), limits)
    whisper = providers.Resource(opened, providers.Factory(WhisperSpeechToText, speech_cache))
    sphinx = providers.Resource(opened, providers.Factory(SphinxSpeechToText))
    google = providers.Resource(
        opened,
        providers.Factory(
            lambda s: GoogleSpeechToText(
                endpoint=s.speech.google_endpoint or GOOGLE_SPEECH_ENDPOINT,
                api_key=os.environ.get(s.speech.google_api_key_env) or None,
                timeout=s.speech.timeout_seconds,
                default_language=s.speech.language,
            ),
            settings,
        ),
    )
    recognisers = providers.Dict(whisper=whisper, sphinx=sphinx, google=google)
    stt = providers.Singleton(
        lambda s, found: chain_recognisers([s.speech.stt, *s.speech.stt_fallback], found), settings, recognisers
    )
    piper = providers.Resource(opened, providers.Factory(PiperTextToSpeech))
    espeak = providers.Resource(opened, providers.Factory(EspeakTextToSpeech))
    gtts = providers.Resource(
        opened,
        providers.Factory(
            lambda s: GttsTextToSpeech(endpoint=s.speech.gtts_endpoint, timeout=s.speech.timeout_seconds), settings
        ),
    )
    tts = providers.Selector(
        providers.Callable(lambda s: s.speech.tts, settings),
        auto=providers.Singleton(LanguageRoutingTextToSpeech, providers.Dict(en=piper), espeak),
        piper=piper,
        espeak=espeak,
        gtts=gtts,
    )
    # The model: every backend is available to `!train --backend`; `model.backend` is the default.
    embedded = providers.Resource(
        opened,
        providers.Factory(
            lambda s: EmbeddedBackend(threshold=s.model.threshold or 0.4, max_intents=s.model.max_intents), settings
        ),
    )
    tfidf = providers.Resource(
        opened,
        providers.Factory(
            lambda s: TfidfBackend(threshold=s.model.threshold or 0.5, max_intents=s.model.max_intents), settings
        ),
    )
    hybrid = providers.Resource(
        opened,
        providers.Factory(
            lambda s: HybridBackend(threshold=s.model.threshold or 0.4, max_intents=s.model.max_intents), settings
        ),
    )
    openai = providers.Singleton(
        lambda s: OpenAICompatibleBackend(
            s.model.openai.base_url,
            s.model.openai.model,
            api_key_env=s.model.openai.api_key_env,
            timeout=s.model.openai.timeout_seconds,
            threshold=s.model.threshold or 0.5,
        ),
        settings,
    )
    model_backends = providers.Dict(embedded=embedded, tfidf=tfidf, hybrid=hybrid, openai=openai)
    dataset_parser = providers.Singleton(
        lambda s, lim: DatasetFileParser(max_bytes=lim.dataset_bytes, max_examples=s.model.max_examples),
        settings,
        limits,
    )
    report_renderer = providers.Singleton(ConfusionMatrixRenderer)

    prefix = providers.Callable(lambda s: s.discord.prefix, settings)
    default_backend = providers.Callable(lambda s: s.model.backend, settings)
    policy = providers.Singleton(policy_from, settings)
    clock = providers.Singleton(SystemClock)

    layout = providers.Singleton(lambda s: SpaceLayout(s.storage.data_root), settings)
    appender = providers.Singleton(LineAppender)
    vault = providers.Singleton(FilesystemVault, layout)
    datasets = providers.Singleton(FilesystemDatasetStore, layout)
    space_settings = providers.Singleton(JsonSettingsStore, layout)
    feedback_log = providers.Singleton(JsonLinesFeedbackLog, layout, appender)
    model_store = providers.Singleton(FilesystemModelStore, layout)
    instructions = providers.Singleton(lambda s: InstructionsFile(s.storage.instructions), settings)

    conversation = providers.Singleton(ConversationMemory)
    overrides = providers.Singleton(CorrectionOverrides, feedback_log)
    uncertain = providers.Singleton(UncertainMessages)
    active_models = providers.Singleton(ActiveModels, model_backends, model_store, space_settings)
    languages = providers.Singleton(
        lambda s, store: SpeechLanguages(store, s.speech.language, s.speech.guild_languages, s.speech.detect_language),
        settings,
        space_settings,
    )
    jobs = providers.Singleton(JobRunner)
    gate = providers.Singleton(lambda lim: WorkGate(lim.heavy_running, lim.heavy_waiting), limits)
    publisher = providers.Singleton(EventPublisher)
    voice_sessions = providers.Singleton(
        lambda voice, tts, codec, s: VoiceSessions(voice, tts, codec, s.speech.voice_idle_seconds),
        voice,
        tts,
        codec,
        settings,
    )
    training_data = providers.Singleton(
        lambda attachments, parser, datasets, store, log, lim, s: TrainingData(
            attachments,
            parser,
            datasets,
            store,
            log,
            lim.dataset_bytes,
            s.discord.prefix,
            s.model.min_examples_per_intent,
        ),
        attachments,
        dataset_parser,
        datasets,
        space_settings,
        feedback_log,
        limits,
        settings,
    )
    # Each limit, for handlers that take plain values.
    limit = limits.provided

    command_handlers = providers.Dict(
        {
            commands.Greet: providers.Singleton(GreetHandler, chat, prefix),
            commands.ShowHelp: providers.Singleton(ShowHelpHandler, chat, prefix, limit.message_chars),
            commands.UnknownCommand: providers.Singleton(UnknownCommandHandler, chat, prefix),
            commands.JoinVoice: providers.Singleton(JoinVoiceHandler, chat, voice),
            commands.LeaveVoice: providers.Singleton(LeaveVoiceHandler, chat, voice),
            commands.SendInstruction: providers.Singleton(
                SendInstructionHandler, chat, instructions, limit.message_chars
            ),
            commands.GetFile: providers.Singleton(GetFileHandler, chat, vault, policy, limit.file_bytes),
            commands.ArchiveFiles: providers.Singleton(
                ArchiveFilesHandler, chat, vault, policy, limit.archive_bytes, limit.archive_entries
            ),
            commands.SelectDataset: providers.Singleton(
                SelectDatasetHandler, chat, datasets, space_settings, policy, prefix
            ),
            commands.SubmitFeedback: providers.Singleton(
                SubmitFeedbackHandler, chat, feedback_log, clock, limit.feedback_chars, prefix
            ),
            commands.ListFeedback: providers.Singleton(
                ListFeedbackHandler, chat, feedback_log, uncertain, policy, limit.message_chars, prefix
            ),
            commands.CorrectReply: providers.Singleton(
                CorrectReplyHandler,
                chat,
                feedback_log,
                conversation,
                overrides,
                uncertain,
                clock,
                limit.feedback_chars,
                prefix,
            ),
            commands.ReplyToMessage: providers.Singleton(
                ReplyToMessageHandler,
                chat,
                active_models,
                overrides,
                conversation,
                uncertain,
                prefix,
                limit.message_chars,
                limit.answer_seconds,
            ),
            commands.TranscribeAudio: providers.Singleton(
                TranscribeAudioHandler,
                chat,
                attachments,
                codec,
                stt,
                languages,
                gate,
                limit.attachment_bytes,
                limit.audio_seconds,
                limit.message_chars,
                limit.hearing_seconds,
            ),
            commands.SpeakText: providers.Singleton(SpeakTextHandler, voice_sessions, languages),
            commands.TrainModel: providers.Singleton(
                TrainModelHandler,
                chat,
                training_data,
                model_backends,
                default_backend,
                model_store,
                space_settings,
                active_models,
                jobs,
                publisher,
                policy,
                clock,
            ),
            commands.ShowTrainingStatus: providers.Singleton(
                ShowTrainingStatusHandler, chat, jobs, model_store, space_settings
            ),
            commands.TestModel: providers.Singleton(
                TestModelHandler,
                chat,
                training_data,
                model_backends,
                default_backend,
                active_models,
                model_store,
                report_renderer,
                jobs,
                publisher,
                policy,
                clock,
            ),
            commands.ListModels: providers.Singleton(
                ListModelsHandler, chat, model_store, space_settings, policy, prefix
            ),
            commands.UseModel: providers.Singleton(UseModelHandler, chat, model_store, space_settings, policy),
        }
    )
    event_handlers = providers.Dict(
        {
            events.ReplyProduced: providers.List(providers.Object(speak_replies_in_voice)),
            **{
                kind: providers.List(providers.Object(log_event))
                for kind in (
                    events.ModelTrained,
                    events.TrainingFailed,
                    events.ModelTested,
                    events.ModelActivated,
                    events.ReplyCorrected,
                    events.FeedbackSubmitted,
                    events.DatasetSelected,
                    events.FilesArchived,
                )
            },
        }
    )
    bus = providers.Singleton(
        lambda handlers, subscribers, chat, policy: MessageBus(
            handlers, subscribers, chat, admit=lambda command: policy.admit(command.message)
        ),
        command_handlers,
        event_handlers,
        chat,
        policy,
    )


def build_container(
    settings: ParrotSettings, chat: object, voice: object, attachments: object, **overrides: object
) -> Container:
    """The application, wired for `settings`, speaking through the given driver's ports.

    `overrides` replace providers by name (tests put in-memory fakes there).
    """
    container = Container(settings=settings, chat=chat, voice=voice, attachments=attachments)
    for name, value in overrides.items():
        getattr(container, name).override(providers.Object(value))
    container.check_dependencies()
    container.publisher().connect(container.bus().handle)
    return container


async def settle(container: Container) -> None:
    """Wait until every job and every queued utterance is done."""
    await container.jobs().wait_idle()
    await container.voice_sessions().wait_idle()


async def warm_up(container: Container) -> None:
    """Load the speech models now instead of on first use (`speech.load_at_startup`)."""
    await container.stt().warm_up()
    await container.tts().warm_up()


async def shutdown(container: Container, deadline: float = 30.0) -> None:
    """Let running jobs finish within `deadline` (then cancel them), stop speaking, free the workers."""
    await container.jobs().shutdown(deadline)
    await container.voice_sessions().close()
    container.shutdown_resources()


# --- command line ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="parrot", description="Parrot: a Discord bot that listens, speaks and learns."
    )
    parser.add_argument("--config", type=Path, default=None, help="configuration file (default: parrot.toml)")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run on Discord when a token is configured, else the local chat (default)")
    sub.add_parser("chat", help="the local chat in this terminal; reads one message per line from a pipe")
    sub.add_parser("config", help="print the effective configuration, secrets masked")
    sync = sub.add_parser("sync", help="register the slash commands with Discord (globally, or in one guild)")
    sync.add_argument("--guild", type=int, default=None, help="register in this guild only (instant)")
    train = sub.add_parser("train", help="train on a dataset file, as `!train` with that file attached")
    train.add_argument("file", type=Path)
    train.add_argument("--backend", default=None, help="model backend (default: model.backend)")
    train.add_argument(
        "--guild", type=int, default=1, help="the guild whose space is trained (default: the local chat's)"
    )
    test = sub.add_parser("test", help="evaluate the active model on a dataset file, as `!test`")
    test.add_argument("file", type=Path)
    test.add_argument("--json", action="store_true", help="print the report as JSON")
    test.add_argument("--guild", type=int, default=1, help="the guild whose model is tested")
    arguments = parser.parse_args(argv)
    try:
        settings = load_settings(arguments.config)
    except ConfigurationError as error:
        print(f"parrot: {error}", file=sys.stderr)
        return 2
    if arguments.command == "config":
        print(masked(settings))
        return 0
    token = settings.discord.token.get_secret_value() if settings.discord.token else None
    local_chat = arguments.command == "chat" or (arguments.command in (None, "run") and not token)
    if local_chat:
        # The terminal belongs to the conversation; the log goes to a file beside the data.
        log_file = settings.storage.data_root / "parrot.log"
        log_file.parent.mkdir(parents=True, exist_ok=True)
        log_stream: TextIO = log_file.open("a", encoding="utf-8")
        configure_logging(settings.logging.level, "json", secrets=[token] if token else [], stream=log_stream)
    else:
        configure_logging(settings.logging.level, settings.logging.format, secrets=[token] if token else [])
    try:
        if arguments.command in ("train", "test"):
            return asyncio.run(run_admin_job(settings, arguments))
        if arguments.command == "sync":
            return asyncio.run(sync_commands(settings, token, arguments.guild))
        if arguments.command in (None, "run") and token:
            return asyncio.run(run_discord(settings, token))
        if arguments.command in (None, "run"):
            print("parrot: no Discord token configured (DISCORD_TOKEN); starting the local chat.", file=sys.stderr)
        print(f"parrot: logging to {settings.storage.data_root / 'parrot.log'}", file=sys.stderr)
        return asyncio.run(run_local_chat(settings))
    except KeyboardInterrupt:
        return 130


async def run_discord(settings: ParrotSettings, token: str) -> int:
    from adapters.discord import DiscordStartupError, ParrotBot, run_discord_bot

    bot = ParrotBot(discord_config_from(settings), policy_from(settings))
    container = build_container(settings, bot.chat, bot.voice, bot.attachments)
    bot.attach(container.bus())
    try:
        if settings.speech.load_at_startup:
            await warm_up(container)
        await run_discord_bot(bot, token)
    except DiscordStartupError as error:
        print(f"parrot: {error}", file=sys.stderr)
        return 1
    finally:
        await shutdown(container)
    return 0


async def sync_commands(settings: ParrotSettings, token: str | None, guild_id: int | None) -> int:
    from adapters.discord import DiscordStartupError, ParrotBot, sync_slash_commands

    if not token:
        print("parrot: set DISCORD_TOKEN to register slash commands.", file=sys.stderr)
        return 2
    try:
        count = await sync_slash_commands(
            ParrotBot(discord_config_from(settings), policy_from(settings)), token, guild_id=guild_id
        )
    except DiscordStartupError as error:
        print(f"parrot: {error}", file=sys.stderr)
        return 1
    where = f"guild {guild_id}" if guild_id else "every guild (global commands can take up to an hour to appear)"
    print(f"parrot: registered {count} slash commands in {where}.")
    return 0


async def run_local_chat(settings: ParrotSettings) -> int:
    from adapters.local.console import ConsoleChat, LocalChatSession, stdin_lines

    console = ConsoleChat(settings.storage.data_root / "local-output")
    container = build_container(settings, console, console, console)
    interactive = sys.stdin.isatty()

    async def settle_app() -> None:
        await settle(container)

    session = LocalChatSession(console, container.bus(), settings.discord.prefix, settle_app, interactive)
    try:
        if settings.speech.load_at_startup:
            await warm_up(container)
        await session.run(stdin_lines("you> " if interactive else ""))
    finally:
        await shutdown(container)
    return 0


async def run_admin_job(settings: ParrotSettings, arguments: argparse.Namespace) -> int:
    from adapters.local.admin_cli import AdminJob
    from adapters.local.console import ConsoleChat

    if not arguments.file.is_file():
        print(f"parrot: no such file: {arguments.file}", file=sys.stderr)
        return 2
    # With --json, standard output carries the report alone; the chat's lines go to standard error.
    quiet = arguments.command == "test" and arguments.json
    console = ConsoleChat(settings.storage.data_root / "local-output", sys.stderr if quiet else sys.stdout)
    container = build_container(settings, console, console, console)

    async def settle_app() -> None:
        await settle(container)

    job = AdminJob(console, container.bus(), settle_app)
    try:
        if arguments.command == "train":
            return await job.train(arguments.file, arguments.guild, arguments.backend)
        return await job.test(arguments.file, arguments.guild, arguments.json)
    finally:
        await shutdown(container)


if __name__ == "__main__":
    raise SystemExit(main())
