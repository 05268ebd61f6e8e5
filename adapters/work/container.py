"""The work adapter's wiring: `work.queue` picks where jobs run.

In this process (`local`: the backends' own pools, behind a bounded gate), or on `parrot worker` processes
through Redis (`redis`).
"""

from dependency_injector import containers, providers

from adapters.config.settings import WorkSettings
from adapters.work.local import LocalWorkQueue
from application.chat.limits import RequestLimits
from application.jobs.executor import JobExecutor
from application.jobs.work_gate import WorkGate


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
    """How long each kind of job may take once it runs, whichever adapter runs it (speaking: the voice queue's).

    Warming up gets hearing's: it loads what a turn would otherwise load while being heard.
    """
    return {
        "transcribe": limits.hearing_seconds,
        "train": work.train_seconds,
        "test": work.test_seconds,
        "warm_up": limits.hearing_seconds,
    }


class WorkContainer(containers.DeclarativeContainer):
    config = providers.Dependency(instance_of=WorkSettings)
    limits = providers.Dependency(instance_of=RequestLimits)
    executor = providers.Dependency(instance_of=JobExecutor)

    gate = providers.Singleton(WorkGate, running=limits.provided.heavy_running, waiting=limits.provided.heavy_waiting)
    work_queue = providers.Selector(
        config.provided.queue,
        local=providers.Singleton(
            LocalWorkQueue,
            executor=executor,
            gates=providers.Dict(transcribe=gate),
            deadlines=providers.Callable(deadlines, limits, config),
        ),
        redis=providers.Singleton(redis_work_queue, config=config, limits=limits),
    )
