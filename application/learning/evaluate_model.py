from collections.abc import Sequence

from application.jobs.runner import DataSource, JobRunner
from application.learning.evaluation_job import TestInput, TestRequest
from application.messagebus import BusMessage
from domain.commands import TestModel


class EvaluateModelHandler:
    """Asks for a test job described by data: the active model on given data, or cross-validating the selected
    dataset. The job (RunTest) does the rest."""

    def __init__(self, read: TestInput, jobs: JobRunner) -> None:
        self._read = read
        self._jobs = jobs

    async def __call__(self, command: TestModel) -> Sequence[BusMessage]:
        message = command.message
        source = DataSource(command.inline_text, command.attachment)
        ready = await self._jobs.read_at_once(message.space, source, self._read)
        # Registered before any download, so `train status` and one job per space see it at once.
        self._jobs.submit(TestRequest(message.space, message.channel_id, message.id, source, ready))
        return ()
