"""`application/voice`: joining, speaking and listening in voice channels, hearing audio, and the voice log."""

from dependency_injector import containers, providers

from adapters.config.settings import ParrotSettings
from application.chat.limits import RequestLimits
from application.ports.chat import AttachmentSource, ChatOutput, VoiceListening, VoiceOutput
from application.voice.hear_utterance import HearUtteranceHandler, InterruptSpeechHandler
from application.voice.hearing import AudioHearing
from application.voice.join_voice import JoinVoiceHandler
from application.voice.leave_voice import LeaveVoiceHandler
from application.voice.listen import SetListeningConsentHandler, SetListeningHandler
from application.voice.sessions import VoiceSessions
from application.voice.speak_text import SpeakTextHandler, speak_replies_in_voice
from application.voice.transcribe_audio import TranscribeAudioHandler, TranscribeOnRequestHandler
from application.voice.voice_log import VoiceTranscripts
from application.voice.warming import VoiceWarmUp
from domain import commands, events


class Voice(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=ParrotSettings)
    limits = providers.Dependency(instance_of=RequestLimits)
    chat_output = providers.Dependency(instance_of=ChatOutput)  # type: ignore[type-abstract]
    voice_output = providers.Dependency(instance_of=VoiceOutput)  # type: ignore[type-abstract]
    voice_listening = providers.Dependency(instance_of=VoiceListening)  # type: ignore[type-abstract]
    attachments = providers.Dependency(instance_of=AttachmentSource)  # type: ignore[type-abstract]
    audio = providers.DependenciesContainer()
    storage = providers.DependenciesContainer()
    system = providers.DependenciesContainer()
    work = providers.DependenciesContainer()
    chat = providers.DependenciesContainer()

    hearing = providers.Singleton(
        AudioHearing,
        chat=chat_output,
        attachments=attachments,
        work=work.work_queue,
        languages=chat.languages,
        max_bytes=limits.provided.attachment_bytes,
        max_seconds=limits.provided.audio_seconds,
    )
    voice_sessions = providers.Singleton(
        VoiceSessions,
        voice=voice_output,
        listening=voice_listening,
        work=work.work_queue,
        idle_seconds=settings.provided.speech.voice_idle_seconds,
    )
    warm_up = providers.Singleton(VoiceWarmUp, work=work.work_queue, languages=chat.languages)
    voice_transcripts = providers.Singleton(
        VoiceTranscripts,
        settings=storage.space_settings,
        log=storage.voice_log,
        clock=system.clock,
        forgotten=storage.forget_requests,
    )

    handlers = providers.Dict(
        {
            commands.JoinVoice: providers.Singleton(JoinVoiceHandler, chat=chat_output, voice=voice_output),
            commands.LeaveVoice: providers.Singleton(
                LeaveVoiceHandler, chat=chat_output, voice=voice_output, listening=voice_listening
            ),
            commands.SetListening: providers.Singleton(
                SetListeningHandler,
                chat=chat_output,
                listening=voice_listening,
                settings=storage.space_settings,
                wake_name=settings.provided.listen.wake_name,
                warm_up=warm_up,
            ),
            commands.SetListeningConsent: providers.Singleton(
                SetListeningConsentHandler, chat=chat_output, listening=voice_listening, settings=storage.space_settings
            ),
            commands.HearUtterance: providers.Singleton(
                HearUtteranceHandler,
                chat=chat_output,
                work=work.work_queue,
                codec=audio.codec,
                languages=chat.languages,
                wake_name=settings.provided.listen.wake_name,
                clock=system.clock,
                listening=voice_listening,
                max_seconds=limits.provided.audio_seconds,
            ),
            commands.InterruptSpeech: providers.Singleton(InterruptSpeechHandler, sessions=voice_sessions),
            commands.TranscribeAudio: providers.Singleton(
                TranscribeAudioHandler, hearing=hearing, settings=storage.space_settings
            ),
            commands.TranscribeOnRequest: providers.Singleton(TranscribeOnRequestHandler, hearing=hearing),
            commands.SpeakText: providers.Singleton(
                SpeakTextHandler, sessions=voice_sessions, languages=chat.languages, settings=storage.space_settings
            ),
        }
    )
    subscribers = providers.Dict(
        {
            events.ReplyProduced: providers.List(
                providers.Object(speak_replies_in_voice), voice_transcripts.provided.on_reply
            ),
        }
    )
