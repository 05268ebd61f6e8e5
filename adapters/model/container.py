"""The model adapter's wiring: every backend is available to `train --backend`; `model.backend` is the default."""

from dependency_injector import containers, providers

from adapters.config.settings import ModelSettings
from adapters.model.confusion_png import ConfusionMatrixRenderer
from adapters.model.embedded import EmbeddedBackend
from adapters.model.hybrid import HybridBackend
from adapters.model.meaning import meaning_similarity
from adapters.model.openai_compatible import OpenAICompatibleBackend
from adapters.model.tfidf import TfidfBackend
from adapters.resources import opened


class ModelContainer(containers.DeclarativeContainer):
    config = providers.Dependency(instance_of=ModelSettings)

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
    report_renderer = providers.Singleton(ConfusionMatrixRenderer)
    # The review inbox groups messages with the encoder the model embeds them with (None: by their words).
    meaning = providers.Singleton(meaning_similarity, backend=config.provided.backend, encoder=config.provided.encoder)
