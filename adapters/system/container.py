"""The system adapter's wiring: the clock."""

from dependency_injector import containers, providers

from adapters.system.clock import SystemClock


class SystemContainer(containers.DeclarativeContainer):
    clock = providers.Singleton(SystemClock)
