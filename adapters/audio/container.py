"""The audio adapter's wiring: one codec, bounded by the attachment limit."""

from dependency_injector import containers, providers

from adapters.audio.codec import PyAvAudioCodec
from application.chat.limits import RequestLimits


class AudioContainer(containers.DeclarativeContainer):
    limits = providers.Dependency(instance_of=RequestLimits)

    codec = providers.Singleton(PyAvAudioCodec, max_bytes=limits.provided.attachment_bytes)
