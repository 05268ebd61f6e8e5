"""The datasets adapter's wiring: the parser of uploaded files and the starter dataset shipped with Parrot."""

from dependency_injector import containers, providers

from adapters.config.settings import ModelSettings
from adapters.datasets.parser import DatasetFileParser
from adapters.datasets.starter import ShippedStarterDataset
from application.chat.limits import RequestLimits


class DatasetsContainer(containers.DeclarativeContainer):
    config = providers.Dependency(instance_of=ModelSettings)
    limits = providers.Dependency(instance_of=RequestLimits)

    dataset_parser = providers.Singleton(
        DatasetFileParser, max_bytes=limits.provided.dataset_bytes, max_examples=config.provided.max_examples
    )
    starter_source = providers.Singleton(ShippedStarterDataset)
