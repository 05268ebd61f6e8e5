"""Where training and test data come from: an attachment, inline text, or the selected dataset."""

from application.ports.chat import AttachmentSource
from application.ports.model import DatasetParser
from application.ports.storage import DatasetStore, FeedbackLog, SettingsStore
from domain.dataset_rules import merge_corrections
from domain.errors import MissingArgument
from domain.messages import Attachment
from domain.spaces import Space
from domain.training import Dataset


class TrainingData:
    def __init__(
        self,
        attachments: AttachmentSource,
        parser: DatasetParser,
        datasets: DatasetStore,
        settings: SettingsStore,
        feedback: FeedbackLog,
        max_bytes: int,
        prefix: str,
    ) -> None:
        self._attachments = attachments
        self._parser = parser
        self._datasets = datasets
        self._settings = settings
        self._feedback = feedback
        self._max_bytes = max_bytes
        self._prefix = prefix

    async def given(self, space: Space, inline_text: str, attachment: Attachment | None) -> Dataset | None:
        """The data given with the command, or None when none was. An attached file is kept in `datasets/`."""
        if attachment is not None:
            data = await self._attachments.fetch(attachment, self._max_bytes)
            dataset = self._parser.parse(data, attachment.filename)
            await self._datasets.save_dataset(space, attachment.filename, data)
            return dataset
        if inline_text.strip():
            return self._parser.parse(inline_text.encode("utf-8"), "inline.txt")
        return None

    async def selected(self, space: Space) -> Dataset:
        name = (await self._settings.load(space)).active_dataset
        if name is None:
            raise MissingArgument(
                f"train [attached file | question => answer lines]` or choose a dataset first with "
                f"`{self._prefix}select_dataset NAME"
            )
        stored = await self._datasets.read_dataset(space, name, self._max_bytes)
        return self._parser.parse(stored.data, stored.name)

    async def with_corrections(self, space: Space, dataset: Dataset) -> Dataset:
        """Corrections made in the chat join the data; the latest wins over older lines."""
        corrections = await self._feedback.list_corrections(space)
        return merge_corrections(dataset, [(c.user_text, c.correction) for c in corrections])
