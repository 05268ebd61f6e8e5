"""Where training and test data come from: an attachment, inline text, or the selected dataset.

Parsing, validating and merging are linear in the data (tens of thousands of lines): off the event loop.
"""

import asyncio
from dataclasses import replace

from application.ports.chat import AttachmentSource
from application.ports.model import DatasetParser
from application.ports.storage import DatasetStore, FeedbackLog, SettingsStore
from domain.dataset_rules import ensure_valid, merge_corrections
from domain.errors import MissingArgument
from domain.messages import Attachment
from domain.spaces import Space
from domain.text import CommandRef, say
from domain.training import Dataset

INLINE_DATASET = "inline.txt"


class TrainingData:
    def __init__(
        self,
        attachments: AttachmentSource,
        parser: DatasetParser,
        datasets: DatasetStore,
        settings: SettingsStore,
        feedback: FeedbackLog,
        max_bytes: int,
        min_examples_per_intent: int = 2,
    ) -> None:
        self._attachments = attachments
        self._parser = parser
        self._datasets = datasets
        self._settings = settings
        self._feedback = feedback
        self._max_bytes = max_bytes
        self._min_examples = min_examples_per_intent

    async def given(self, space: Space, inline_text: str, attachment: Attachment | None) -> Dataset | None:
        """Training data given with the command, or None when none was.

        It is checked against the training rules first: a rejected file is never kept. Accepted data is kept
        in `datasets/` (inline lines as `inline.txt`), so it can be selected, retrained on with corrections,
        and archived. It never replaces a different dataset of the same name: it is kept as `NAME-2.csv`,
        `NAME-3.csv`..., and the returned dataset carries the name it was kept under.
        """
        dataset, data, name = await self._parse_given(inline_text, attachment)
        if dataset is None:
            return None
        await self.check(dataset)
        stored_as = await self._datasets.save_dataset(space, name, data)
        return replace(dataset, name=stored_as)

    async def test_data(self, inline_text: str, attachment: Attachment | None) -> Dataset | None:
        """Data given to evaluate a model, or None when none was: parsed, never kept among training datasets."""
        dataset, _, _ = await self._parse_given(inline_text, attachment)
        return dataset

    async def _parse_given(self, inline_text: str, attachment: Attachment | None) -> tuple[Dataset | None, bytes, str]:
        if attachment is not None:
            data = await self._attachments.fetch(attachment, self._max_bytes)
            name = attachment.filename
        elif inline_text.strip():
            data, name = inline_text.encode("utf-8"), INLINE_DATASET
        else:
            return None, b"", ""
        return await asyncio.to_thread(self._parser.parse, data, name), data, name

    async def keep(self, space: Space, attachment: Attachment) -> Dataset:
        """An uploaded dataset, checked and kept exactly as `train` keeps the file attached to it."""
        dataset = await self.given(space, "", attachment)
        if dataset is None:  # an attachment always holds data; this keeps the type honest
            raise MissingArgument("train upload FILE")
        return dataset

    async def select(self, space: Space, name: str) -> None:
        await self._settings.update(space, lambda settings: replace(settings, active_dataset=name))

    async def selected(self, space: Space, command: str = "train") -> Dataset:
        """The space's selected dataset, for `command` (train, test) given no data of its own."""
        name = (await self._settings.load(space)).active_dataset
        if name is None:
            raise MissingArgument(
                f"{command} [attached file | question => answer lines]",
                say(" or choose a dataset first with ", CommandRef("select_dataset NAME")),
            )
        stored = await self._datasets.read_dataset(space, name, self._max_bytes)
        return await asyncio.to_thread(self._parser.parse, stored.data, stored.name)

    async def check(self, dataset: Dataset) -> None:
        """Refuse, by line, data that cannot be trained on; before corrections join it (they may stand alone)."""
        await asyncio.to_thread(ensure_valid, dataset, self._min_examples)

    async def with_corrections(self, space: Space, dataset: Dataset) -> Dataset:
        """Corrections made in the chat join the data; the latest wins over older lines."""
        corrections = await self._feedback.list_corrections(space)
        lines = [(c.user_text, c.correction, c.answers_intent) for c in corrections]
        return await asyncio.to_thread(merge_corrections, dataset, lines)
