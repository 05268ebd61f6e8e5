"""Where training and test data come from: an attachment, inline text, or the selected dataset.

Parsing, validating and merging are linear in the data (tens of thousands of lines): off the event loop.
"""

import asyncio
from dataclasses import replace

from application.ports.chat import AttachmentSource
from application.ports.model import DatasetParser
from application.ports.storage import DatasetStore, FeedbackLog, SettingsStore
from domain.dataset_rules import ensure_valid, merge_corrections
from domain.errors import InvalidDataset, MissingArgument
from domain.messages import Attachment
from domain.spaces import Space
from domain.text import Code, CommandRef, Quote, Text, say
from domain.training import Dataset

INLINE_DATASET = "inline.txt"
# What a refusal of typed lines shows as the way to write them.
INLINE_EXAMPLE = ("hello => Hi!", "hi there => Hi!", "bye => See you!", "see you later => See you!")


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
        if attachment is not None:
            await self.check(dataset)
        else:
            try:
                await self.check(dataset, by_answer=True)
            except InvalidDataset as error:
                raise _typed_lines_refused("train", inline_text, error) from error
        stored_as = await self._datasets.save_dataset(space, name, data)
        return replace(dataset, name=stored_as)

    async def test_data(self, inline_text: str, attachment: Attachment | None) -> Dataset | None:
        """Data given to evaluate a model, or None when none was: parsed, never kept among training datasets."""
        dataset, _, _ = await self._parse_given(inline_text, attachment, "test")
        return dataset

    async def _parse_given(
        self, inline_text: str, attachment: Attachment | None, command: str = "train"
    ) -> tuple[Dataset | None, bytes, str]:
        if attachment is not None:
            data = await self._attachments.fetch(attachment, self._max_bytes)
            return await asyncio.to_thread(self._parser.parse, data, attachment.filename), data, attachment.filename
        if not inline_text.strip():
            return None, b"", ""
        data = inline_text.encode("utf-8")
        try:
            return await asyncio.to_thread(self._parser.parse, data, INLINE_DATASET), data, INLINE_DATASET
        except InvalidDataset as error:
            raise _typed_lines_refused(command, inline_text, error) from error

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

    async def check(self, dataset: Dataset, by_answer: bool = False) -> None:
        """Refuse, by line, data that cannot be trained on; before corrections join it (they may stand alone).

        With `by_answer`, intents are named by their answers (typed lines, whose intents the user never named).
        """
        await asyncio.to_thread(ensure_valid, dataset, self._min_examples, by_answer=by_answer)

    async def with_corrections(self, space: Space, dataset: Dataset) -> Dataset:
        """Corrections made in the chat join the data; the latest wins over older lines."""
        corrections = await self._feedback.list_corrections(space)
        lines = [(c.user_text, c.correction, c.answers_intent) for c in corrections]
        return await asyncio.to_thread(merge_corrections, dataset, lines)


def _typed_lines_refused(command: str, typed: str, error: InvalidDataset) -> InvalidDataset:
    """The refusal of lines typed after a command, in the user's terms: they sent no file, so none is named.

    The parser and the rules speak of a file (`inline.txt` is only where accepted lines are kept); what they found
    by line stays, and the way to write the lines follows, with an example.
    """
    problems: list[Text | str] = [p for p in error.parts if INLINE_DATASET not in str(p)]
    if len(problems) < len(error.parts):  # the format could not be told: name the lines that are not arrows
        lines = [(n, line) for n, line in enumerate(typed.splitlines(), start=1) if line.strip()]
        problems.extend(
            say(f"line {n}: “", Quote(line.strip(), 60), "” has no ", Code("=>"), " between a question and its answer")
            for n, line in lines
            if "=>" not in line
        )
    example: list[Text | str] = [say("\n", Code(line)) for line in INLINE_EXAMPLE]
    hint = say(
        "Write one ",
        Code("question => answer"),
        " a line. Each answer needs at least two ways of asking, and I need at least two different answers; "
        "for example, ",
        CommandRef(command),
        " followed by these lines:",
        *example,
    )
    return InvalidDataset(say("I couldn't use the lines you wrote after ", CommandRef(command), ":"), problems, hint)
