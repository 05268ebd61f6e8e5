"""`application/jobs`: the executor of heavy work, the publisher for background work, and the progress reports."""

from dependency_injector import containers, providers

from application.jobs.executor import JobExecutor
from application.jobs.publisher import EventPublisher
from application.jobs.reports import JobReports
from application.ports.chat import ChatOutput
from domain import events


class Execution(containers.DeclarativeContainer):
    """What does a job with the backends at hand: shared by the bot and `parrot worker`, which has no chat."""

    audio = providers.DependenciesContainer()
    speech = providers.DependenciesContainer()
    model = providers.DependenciesContainer()

    executor = providers.Singleton(
        JobExecutor, codec=audio.codec, stt=speech.stt, tts=speech.tts, backends=model.backends
    )


class Jobs(containers.DeclarativeContainer):
    chat_output = providers.Dependency(instance_of=ChatOutput)  # type: ignore[type-abstract]

    publisher = providers.Singleton(EventPublisher)
    job_reports = providers.Singleton(JobReports, chat=chat_output)

    # A long job's life becomes its progress message and outcome (application/jobs/reports.py).
    subscribers = providers.Dict(
        {
            events.JobStarted: providers.List(job_reports.provided.on_started),
            events.JobProgressed: providers.List(job_reports.provided.on_progressed),
            events.JobSucceeded: providers.List(job_reports.provided.on_succeeded),
            events.JobFailed: providers.List(job_reports.provided.on_failed),
            events.JobRefused: providers.List(job_reports.provided.on_refused),
        }
    )
