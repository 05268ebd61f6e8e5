"""The composition root: one container of sub-containers, the only module that names concrete adapters.

Settings come in, validated (adapters/config); the driver that runs (Discord, the local chat, a test's
fake) fills the chat ports; `cli.py` picks the driver. Every handler is wired by keyword.
"""

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

from dependency_injector import containers, providers

from adapters.audio.codec import PyAvAudioCodec
from adapters.config.settings import ModelSettings, ParrotSettings, SpeechSettings, WorkSettings
from adapters.datasets.parser import DatasetFileParser
from adapters.datasets.starter import ShippedStarterDataset
from adapters.model.confusion_png import ConfusionMatrixRenderer
from adapters.model.embedded import EmbeddedBackend
from adapters.model.hybrid import HybridBackend
from adapters.model.meaning import meaning_similarity
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
from adapters.system.clock import SystemClock
from adapters.web.app import ReviewQueries
from adapters.work.local import LocalWorkQueue
from application.active_models import ActiveModels
from application.conversation import ConversationMemory
from application.corrections import CorrectionOverrides
from application.evaluation_job import RunTest, TestInput, TestRequest
from application.handlers.archive_files import ArchiveFilesHandler
from application.handlers.correct_reply import CorrectReplyHandler
from application.handlers.evaluate_model import EvaluateModelHandler
from application.handlers.forget_me import ForgetMeHandler
from application.handlers.get_file import GetFileHandler
from application.handlers.greet import GreetHandler
from application.handlers.hear_utterance import HearUtteranceHandler, InterruptSpeechHandler
from application.handlers.join_voice import JoinVoiceHandler
from application.handlers.leave_voice import LeaveVoiceHandler
from application.handlers.listen import SetListeningConsentHandler, SetListeningHandler
from application.handlers.models import ListModelsHandler, UseModelHandler
from application.handlers.rate_reply import RateReplyHandler
from application.handlers.reply_to_message import ReplyToMessageHandler
from application.handlers.review_actions import IgnoreMessagesHandler, RetractCorrectionHandler, UploadDatasetHandler
from application.handlers.select_dataset import SelectDatasetHandler
from application.handlers.send_instruction import SendInstructionHandler
from application.handlers.settings import ChangeSettingsHandler
from application.handlers.show_help import ShowHelpHandler, UnknownCommandHandler
from application.handlers.show_privacy import ShowPrivacyHandler
from application.handlers.speak_text import SpeakTextHandler, speak_replies_in_voice
from application.handlers.submit_feedback import ListFeedbackHandler, SubmitFeedbackHandler
from application.handlers.subscribers import log_event
from application.handlers.train_model import ShowTrainingStatusHandler, TrainModelHandler
from application.handlers.transcribe_audio import TranscribeAudioHandler, TranscribeOnRequestHandler
from application.hearing import AudioHearing
from application.job_executor import JobExecutor
from application.job_reports import JobReports
from application.jobs import JobRunner
from application.languages import SpeechLanguages
from application.limits import RequestLimits
from application.messagebus import MessageBus
from application.no_listening import NoListening
from application.ports.chat import AttachmentSource, ChatOutput, VoiceListening, VoiceOutput
from application.ports.model import ModelBackend
from application.ports.speech import SpeechToText
from application.publisher import EventPublisher
from application.review.activity import ActivityLog
from application.review.data import DatasetDownload, SpaceData
from application.review.inbox import ReviewInbox
from application.review.intents import IntentAnswers
from application.review.models import JobStatus, ModelHistory, ReportPicture
from application.review.overview import Overview
from application.review.settings import ServerSettings
from application.starter import StarterKnowledge
from application.training_data import TrainingData
from application.training_job import RunTraining, TrainingInput, TrainRequest
from application.uncertain import UncertainMessages
from application.voice_log import VoiceTranscripts
from application.voice_sessions import VoiceSessions
from application.work_gate import WorkGate
from domain import commands, events
from domain.speech import language_code


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


def recogniser_names(speech: SpeechSettings) -> list[str]:
    return [speech.stt, *speech.stt_fallback]


def heard_languages(speech: SpeechSettings) -> list[str]:
    """The languages a space hears unless its `settings languages` say otherwise."""
    return list(dict.fromkeys(language_code(language) for language in speech.languages))


def google_endpoint(speech: SpeechSettings) -> str:
    return speech.google_endpoint or GOOGLE_SPEECH_ENDPOINT


class Speech(containers.DeclarativeContainer):
    """Hearing and speaking: the recogniser and the voice are chosen by configuration; models load on first use."""

    config = providers.Dependency(instance_of=SpeechSettings)
    settings = providers.Dependency(instance_of=ParrotSettings)
    limits = providers.Dependency(instance_of=RequestLimits)

    codec = providers.Singleton(PyAvAudioCodec, max_bytes=limits.provided.attachment_bytes)
    whisper = providers.Resource(
        opened,
        providers.Factory(
            WhisperSpeechToText,
            model_cache_dir=settings.provided.speech_cache_dir.call(),
            languages=config.provided.languages,
        ),
    )
    sphinx = providers.Resource(opened, providers.Factory(SphinxSpeechToText))
    google = providers.Resource(
        opened,
        providers.Factory(
            GoogleSpeechToText,
            endpoint=providers.Callable(google_endpoint, config),
            api_key=config.provided.google_api_key.call(),
            timeout=config.provided.timeout_seconds,
            default_language=config.provided.language,
        ),
    )
    recognisers = providers.Dict(whisper=whisper, sphinx=sphinx, google=google)
    stt = providers.Singleton(chain_recognisers, names=providers.Callable(recogniser_names, config), found=recognisers)
    piper = providers.Resource(opened, providers.Factory(PiperTextToSpeech))
    espeak = providers.Resource(opened, providers.Factory(EspeakTextToSpeech))
    gtts = providers.Resource(
        opened,
        providers.Factory(
            GttsTextToSpeech, endpoint=config.provided.gtts_endpoint, timeout=config.provided.timeout_seconds
        ),
    )
    tts = providers.Selector(
        config.provided.tts,
        auto=providers.Singleton(LanguageRoutingTextToSpeech, routes=providers.Dict(en=piper), default=espeak),
        piper=piper,
        espeak=espeak,
        gtts=gtts,
    )


def starter_backend(config: ModelSettings, backends: Mapping[str, ModelBackend]) -> ModelBackend | None:
    """The backend that builds the starter model, or None when the starter is switched off."""
    return backends.get(config.starter_backend) if config.starter else None


def starter_cache(settings: ParrotSettings) -> Path:
    return settings.storage.data_root / "cache" / "starter"


class Model(containers.DeclarativeContainer):
    """Every model backend is available to `train --backend`; `model.backend` is the default."""

    config = providers.Dependency(instance_of=ModelSettings)
    limits = providers.Dependency(instance_of=RequestLimits)

    embedded = providers.Resource(
        opened,
        providers.Factory(
            EmbeddedBackend,
            threshold=config.provided.threshold_or.call(0.4),
            encoder=config.provided.encoder,
            max_intents=config.provided.max_intents,
        ),
    )
    tfidf = providers.Resource(
        opened,
        providers.Factory(
            TfidfBackend,
            threshold=config.provided.threshold_or.call(0.5),
            max_intents=config.provided.max_intents,
        ),
    )
    hybrid = providers.Resource(
        opened,
        providers.Factory(
            HybridBackend,
            threshold=config.provided.threshold_or.call(0.4),
            encoder=config.provided.encoder,
            max_intents=config.provided.max_intents,
        ),
    )
    openai = providers.Singleton(
        OpenAICompatibleBackend,
        base_url=config.provided.openai.base_url,
        model=config.provided.openai.model,
        api_key_env=config.provided.openai.api_key_env,
        timeout=config.provided.openai.timeout_seconds,
        threshold=config.provided.threshold_or.call(0.5),
    )
    backends = providers.Dict(embedded=embedded, tfidf=tfidf, hybrid=hybrid, openai=openai)
    default_backend = config.provided.backend
    dataset_parser = providers.Singleton(
        DatasetFileParser, max_bytes=limits.provided.dataset_bytes, max_examples=config.provided.max_examples
    )
    report_renderer = providers.Singleton(ConfusionMatrixRenderer)
    # The review inbox groups messages with the encoder the model embeds them with (None: by their words).
    meaning = providers.Singleton(meaning_similarity, backend=config.provided.backend, encoder=config.provided.encoder)


class Storage(containers.DeclarativeContainer):
    """Each space's files, datasets, settings, feedback and models, under `storage.data_root`."""

    settings = providers.Dependency(instance_of=ParrotSettings)

    layout = providers.Singleton(SpaceLayout, settings.provided.storage.data_root)
    appender = providers.Singleton(LineAppender)
    vault = providers.Singleton(FilesystemVault, layout, archives_kept=settings.provided.limits.archives_kept)
    datasets = providers.Singleton(FilesystemDatasetStore, layout)
    space_settings = providers.Singleton(JsonSettingsStore, layout)
    feedback_log = providers.Singleton(JsonLinesFeedbackLog, layout, appender)
    review_store = providers.Singleton(JsonLinesReviewStore, layout, appender)
    voice_log = providers.Singleton(JsonLinesVoiceLog, layout, appender)
    model_store = providers.Singleton(FilesystemModelStore, layout)
    instructions = providers.Singleton(InstructionsFile, settings.provided.storage.instructions)


def redis_work_queue(config: WorkSettings, limits: RequestLimits) -> object:
    """The distributed queue, imported only when configured (its client library is not needed otherwise)."""
    from adapters.work.redis_queue import RedisWorkQueue

    return RedisWorkQueue(
        config.redis_url,
        waiting=limits.heavy_waiting,
        deadlines=deadlines(limits, config),
        max_payload_bytes=config.max_payload_bytes(),
    )


def deadlines(limits: RequestLimits, work: WorkSettings) -> dict[str, float]:
    """How long each kind of job may take once it runs, whichever adapter runs it (speaking: the voice queue's)."""
    return {"transcribe": limits.hearing_seconds, "train": work.train_seconds, "test": work.test_seconds}


class Work(containers.DeclarativeContainer):
    """Heavy work through one port, long jobs, the voice queue, and what the use cases remember between messages.

    `work.queue` picks where jobs run: in this process (`local`, the pools of today), or on `parrot worker`
    processes through Redis (`redis`).
    """

    settings = providers.Dependency(instance_of=ParrotSettings)
    limits = providers.Dependency(instance_of=RequestLimits)
    voice = providers.Dependency(instance_of=VoiceOutput)  # type: ignore[type-abstract]
    speech = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()
    model = providers.DependenciesContainer()
    attachments = providers.Dependency(instance_of=AttachmentSource)  # type: ignore[type-abstract]
    chat = providers.Dependency(instance_of=ChatOutput)  # type: ignore[type-abstract]

    clock = providers.Singleton(SystemClock)
    gate = providers.Singleton(WorkGate, running=limits.provided.heavy_running, waiting=limits.provided.heavy_waiting)
    executor = providers.Singleton(
        JobExecutor, codec=speech.codec, stt=speech.stt, tts=speech.tts, backends=model.backends
    )
    work_queue = providers.Selector(
        settings.provided.work.queue,
        local=providers.Singleton(
            LocalWorkQueue,
            executor=executor,
            gates=providers.Dict(transcribe=gate),
            deadlines=providers.Callable(deadlines, limits, settings.provided.work),
        ),
        redis=providers.Singleton(redis_work_queue, config=settings.provided.work, limits=limits),
    )
    publisher = providers.Singleton(EventPublisher)
    job_reports = providers.Singleton(JobReports, chat=chat)
    conversation = providers.Singleton(ConversationMemory)
    corrections = providers.Singleton(CorrectionOverrides, log=storage.feedback_log)
    uncertain = providers.Singleton(UncertainMessages)
    voice_transcripts = providers.Singleton(
        VoiceTranscripts, settings=storage.space_settings, log=storage.voice_log, clock=clock
    )
    activity = providers.Singleton(
        ActivityLog, clock=clock, store=storage.review_store, per_space=settings.provided.web.inbox_size
    )
    # Starter knowledge answers untrained spaces; its model is cached under the data root by dataset hash.
    starter = providers.Singleton(
        StarterKnowledge,
        source=providers.Singleton(ShippedStarterDataset),
        cache=providers.Singleton(FilesystemArtifactCache, providers.Callable(starter_cache, settings)),
        backend=providers.Callable(starter_backend, settings.provided.model, model.backends),
        work=work_queue,
    )
    active_models = providers.Singleton(
        ActiveModels,
        backends=model.backends,
        store=storage.model_store,
        settings=storage.space_settings,
        starter=starter,
    )
    languages = providers.Singleton(
        SpeechLanguages,
        settings=storage.space_settings,
        default=settings.provided.speech.language,
        by_guild=settings.provided.speech.guild_languages,
        detect=settings.provided.speech.detect_language,
        languages=settings.provided.speech.languages,
    )
    hearing = providers.Singleton(
        AudioHearing,
        chat=chat,
        attachments=attachments,
        work=work_queue,
        languages=languages,
        max_bytes=limits.provided.attachment_bytes,
        max_seconds=limits.provided.audio_seconds,
    )
    listening = providers.Dependency(instance_of=VoiceListening)  # type: ignore[type-abstract]
    voice_sessions = providers.Singleton(
        VoiceSessions,
        voice=voice,
        listening=listening,
        work=work_queue,
        idle_seconds=settings.provided.speech.voice_idle_seconds,
    )
    training_data = providers.Singleton(
        TrainingData,
        attachments=attachments,
        parser=model.dataset_parser,
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
    jobs = providers.Singleton(
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
                    work=work_queue,
                    publish=publisher,
                    clock=clock,
                ),
                TestRequest: providers.Singleton(
                    RunTest,
                    read=test_input,
                    store=storage.model_store,
                    renderer=model.report_renderer,
                    work=work_queue,
                    publish=publisher,
                ),
            }
        ),
        clock=clock,
    )


class Review(containers.DeclarativeContainer):
    """The review page's queries (read models); its actions are commands on the bus like any driver's."""

    limits = providers.Dependency(instance_of=RequestLimits)
    speech_settings = providers.Dependency(instance_of=SpeechSettings)
    keep_starter = providers.Dependency(instance_of=bool)
    storage = providers.DependenciesContainer()
    work = providers.DependenciesContainer()
    model = providers.DependenciesContainer()

    models = providers.Singleton(
        ModelHistory, store=storage.model_store, settings=storage.space_settings, jobs=work.jobs
    )
    overview = providers.Singleton(Overview, models=models, activity=work.activity)
    inbox = providers.Singleton(ReviewInbox, activity=work.activity, meaning=model.meaning)
    picture = providers.Singleton(ReportPicture, store=storage.model_store)
    job = providers.Singleton(JobStatus, jobs=work.jobs)
    data = providers.Singleton(
        SpaceData,
        datasets=storage.datasets,
        settings=storage.space_settings,
        log=storage.feedback_log,
        voice_log=storage.voice_log,
    )
    download = providers.Singleton(DatasetDownload, datasets=storage.datasets, max_bytes=limits.provided.dataset_bytes)
    answers = providers.Singleton(IntentAnswers, data=work.training_data)
    settings = providers.Singleton(
        ServerSettings,
        settings=storage.space_settings,
        default_languages=providers.Callable(heard_languages, speech_settings),
        keep_starter=keep_starter,
    )
    queries = providers.Singleton(
        ReviewQueries,
        overview=overview,
        inbox=inbox,
        models=models,
        picture=picture,
        job=job,
        data=data,
        download=download,
        answers=answers,
        settings=settings,
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
    # Hearing voice channels: only drivers that see the packets can; the others answer that they can't.
    listening: providers.Dependency[VoiceListening] = providers.Dependency(
        instance_of=VoiceListening,  # type: ignore[type-abstract]
        default=providers.Singleton(NoListening),
    )

    limits = providers.Singleton(settings.provided.limits.request_limits.call())
    policy = providers.Singleton(settings.provided.discord.privilege_policy.call())

    speech = providers.Container(Speech, config=settings.provided.speech, settings=settings, limits=limits)
    model = providers.Container(Model, config=settings.provided.model, limits=limits)
    storage = providers.Container(Storage, settings=settings)
    work = providers.Container(
        Work,
        settings=settings,
        limits=limits,
        voice=voice,
        listening=listening,
        attachments=attachments,
        chat=chat,
        speech=speech,
        storage=storage,
        model=model,
    )
    review = providers.Container(
        Review,
        limits=limits,
        speech_settings=settings.provided.speech,
        keep_starter=settings.provided.model.keep_starter,
        storage=storage,
        work=work,
        model=model,
    )

    # One line per command. Adding a command adds one line here (and its handler, catalogue entry and cog method).
    command_handlers = providers.Dict(
        {
            commands.Greet: providers.Singleton(GreetHandler, chat=chat),
            commands.ShowHelp: providers.Singleton(ShowHelpHandler, chat=chat),
            commands.UnknownCommand: providers.Singleton(UnknownCommandHandler, chat=chat),
            commands.JoinVoice: providers.Singleton(JoinVoiceHandler, chat=chat, voice=voice),
            commands.LeaveVoice: providers.Singleton(LeaveVoiceHandler, chat=chat, voice=voice, listening=listening),
            commands.SetListening: providers.Singleton(
                SetListeningHandler,
                chat=chat,
                listening=listening,
                settings=storage.space_settings,
                wake_name=settings.provided.listen.wake_name,
            ),
            commands.SetListeningConsent: providers.Singleton(
                SetListeningConsentHandler, chat=chat, listening=listening, settings=storage.space_settings
            ),
            commands.HearUtterance: providers.Singleton(
                HearUtteranceHandler,
                chat=chat,
                work=work.work_queue,
                codec=speech.codec,
                languages=work.languages,
                wake_name=settings.provided.listen.wake_name,
                clock=work.clock,
                max_seconds=limits.provided.audio_seconds,
            ),
            commands.InterruptSpeech: providers.Singleton(InterruptSpeechHandler, sessions=work.voice_sessions),
            commands.SendInstruction: providers.Singleton(
                SendInstructionHandler, chat=chat, instructions=storage.instructions
            ),
            commands.GetFile: providers.Singleton(
                GetFileHandler, chat=chat, vault=storage.vault, max_bytes=limits.provided.file_bytes
            ),
            commands.ArchiveFiles: providers.Singleton(
                ArchiveFilesHandler,
                chat=chat,
                vault=storage.vault,
                max_bytes=limits.provided.archive_bytes,
                max_entries=limits.provided.archive_entries,
            ),
            commands.SelectDataset: providers.Singleton(
                SelectDatasetHandler,
                chat=chat,
                datasets=storage.datasets,
                settings=storage.space_settings,
            ),
            commands.SubmitFeedback: providers.Singleton(
                SubmitFeedbackHandler,
                chat=chat,
                log=storage.feedback_log,
                clock=work.clock,
                max_chars=limits.provided.feedback_chars,
            ),
            commands.ListFeedback: providers.Singleton(
                ListFeedbackHandler, chat=chat, log=storage.feedback_log, uncertain=work.uncertain
            ),
            commands.CorrectReply: providers.Singleton(
                CorrectReplyHandler,
                chat=chat,
                log=storage.feedback_log,
                conversation=work.conversation,
                overrides=work.corrections,
                uncertain=work.uncertain,
                clock=work.clock,
                max_chars=limits.provided.feedback_chars,
                daily_cap=limits.provided.corrections_per_member_per_day,
                policy=policy,
            ),
            commands.RetractCorrection: providers.Singleton(
                RetractCorrectionHandler,
                chat=chat,
                log=storage.feedback_log,
                overrides=work.corrections,
                clock=work.clock,
            ),
            commands.IgnoreMessages: providers.Singleton(IgnoreMessagesHandler, chat=chat, activity=work.activity),
            commands.RateReply: providers.Singleton(
                RateReplyHandler, log=storage.feedback_log, conversation=work.conversation, clock=work.clock
            ),
            commands.UploadDataset: providers.Singleton(UploadDatasetHandler, chat=chat, data=work.training_data),
            commands.ReplyToMessage: providers.Singleton(
                ReplyToMessageHandler,
                chat=chat,
                models=work.active_models,
                overrides=work.corrections,
                conversation=work.conversation,
                uncertain=work.uncertain,
                settings=storage.space_settings,
                answer_seconds=limits.provided.answer_seconds,
            ),
            commands.TranscribeAudio: providers.Singleton(
                TranscribeAudioHandler, hearing=work.hearing, settings=storage.space_settings
            ),
            commands.TranscribeOnRequest: providers.Singleton(TranscribeOnRequestHandler, hearing=work.hearing),
            commands.SpeakText: providers.Singleton(
                SpeakTextHandler,
                sessions=work.voice_sessions,
                languages=work.languages,
                settings=storage.space_settings,
            ),
            commands.ChangeSettings: providers.Singleton(
                ChangeSettingsHandler,
                chat=chat,
                settings=storage.space_settings,
                default_languages=providers.Callable(heard_languages, settings.provided.speech),
                keep_starter=settings.provided.model.keep_starter,
            ),
            commands.ForgetMe: providers.Singleton(
                ForgetMeHandler,
                chat=chat,
                log=storage.feedback_log,
                overrides=work.corrections,
                uncertain=work.uncertain,
                conversation=work.conversation,
                activity=work.activity,
                voice_transcripts=work.voice_transcripts,
            ),
            commands.ShowPrivacy: providers.Singleton(ShowPrivacyHandler, chat=chat),
            commands.TrainModel: providers.Singleton(
                TrainModelHandler,
                read=work.training_input,
                backends=model.backends,
                default_backend=model.default_backend,
                jobs=work.jobs,
            ),
            commands.ShowTrainingStatus: providers.Singleton(
                ShowTrainingStatusHandler,
                chat=chat,
                jobs=work.jobs,
                store=storage.model_store,
                settings=storage.space_settings,
                starter_enabled=work.starter.provided.enabled,
            ),
            commands.TestModel: providers.Singleton(EvaluateModelHandler, read=work.test_input, jobs=work.jobs),
            commands.ListModels: providers.Singleton(
                ListModelsHandler,
                chat=chat,
                store=storage.model_store,
                settings=storage.space_settings,
                starter_enabled=work.starter.provided.enabled,
            ),
            commands.UseModel: providers.Singleton(
                UseModelHandler, chat=chat, store=storage.model_store, settings=storage.space_settings
            ),
        }
    )
    event_handlers = providers.Dict(
        {
            events.ReplyProduced: providers.List(
                providers.Object(speak_replies_in_voice),
                work.activity.provided.on_reply,
                work.voice_transcripts.provided.on_reply,
            ),
            events.ReplyCorrected: providers.List(providers.Object(log_event), work.activity.provided.on_corrected),
            events.ReplyRatedDown: providers.List(providers.Object(log_event), work.activity.provided.on_rated_down),
            # A long job's life becomes its progress message and outcome (application/job_reports.py).
            # The job runner follows them too, so `train status` shows what a job last told.
            events.JobStarted: providers.List(work.jobs.provided.on_event, work.job_reports.provided.on_started),
            events.JobProgressed: providers.List(work.jobs.provided.on_event, work.job_reports.provided.on_progressed),
            events.JobSucceeded: providers.List(work.jobs.provided.on_event, work.job_reports.provided.on_succeeded),
            events.JobFailed: providers.List(work.jobs.provided.on_event, work.job_reports.provided.on_failed),
            events.JobRefused: providers.List(work.jobs.provided.on_event, work.job_reports.provided.on_refused),
            **{
                kind: providers.List(providers.Object(log_event))
                for kind in (
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
            },
        }
    )
    bus = providers.Singleton(
        MessageBus,
        command_handlers=command_handlers,
        event_handlers=event_handlers,
        chat=chat,
        admit=policy.provided.admit_command,
    )


class WorkerContainer(containers.DeclarativeContainer):
    """`parrot worker`: the speech and model backends, and the executor that runs jobs with them. No user data."""

    settings = providers.Dependency(instance_of=ParrotSettings)

    limits = providers.Singleton(settings.provided.limits.request_limits.call())
    speech = providers.Container(Speech, config=settings.provided.speech, settings=settings, limits=limits)
    model = providers.Container(Model, config=settings.provided.model, limits=limits)
    executor = providers.Singleton(
        JobExecutor, codec=speech.codec, stt=speech.stt, tts=speech.tts, backends=model.backends
    )


def build_worker(settings: ParrotSettings) -> WorkerContainer:
    container = WorkerContainer(settings=settings)
    container.check_dependencies()
    return container


# Overrides are named as the provider is, in whichever sub-container it lives: callers need not know the layout.
_SUB_CONTAINERS = ("speech", "model", "storage", "work", "review")


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
    container = Container(settings=settings, chat=chat, voice=voice, attachments=attachments)
    if listening is not None:
        container.listening.override(providers.Object(listening))
    for name, value in overrides.items():
        provider_of(container, name).override(providers.Object(value))
    container.check_dependencies()
    container.work.publisher().connect(container.bus().handle)
    return container


def provider_of(container: Container, name: str) -> providers.Provider[object]:
    for part in (container, *(getattr(container, sub) for sub in _SUB_CONTAINERS)):
        provider = getattr(part, name, None)
        if isinstance(provider, providers.Provider):
            return provider
    raise KeyError(f"no provider named {name!r} in the container")
