"""Starter knowledge: what Parrot answers from until a server trains its own model.

The starter dataset ships with Parrot (English and Russian). Its model is trained once per dataset and backend,
as a TrainJob through the work port (in this process, or on a worker with `work.queue = "redis"`), and its
artifact cached on disk; a server's own `!train` replaces it, or extends it when asked.
"""

import asyncio
import time

import structlog

from application.ports.model import IntentModel, ModelBackend
from application.ports.starter import ArtifactCache, StarterSource
from application.ports.work import TrainJob, WorkQueue
from domain.dataset_rules import normalise_text
from domain.errors import ParrotError
from domain.evaluation import split_folds
from domain.training import Dataset, Example

log = structlog.get_logger("parrot.starter")

STARTER_NAME = "starter"
# Each starter intent ends in its language (`greeting_en`, `goodbye_ru`): the classifier keeps the languages apart.
STARTER_LANGUAGE_SUFFIXES = ("_en", "_ru")


def intent_name(intent: str) -> str:
    """An intent as people read it: without the starter's language suffix, which says nothing to them."""
    for suffix in STARTER_LANGUAGE_SUFFIXES:
        if intent.endswith(suffix) and len(intent) > len(suffix):
            return intent.removesuffix(suffix)
    return intent


class StarterKnowledge:
    """The starter model, built on first need (or by `prepare()` at start-up) and shared by every space.

    `backend` None disables the starter: untrained spaces then say they have not been taught anything.
    A failed build is logged and answered as "not taught yet"; it is tried again `retry_seconds` later, so that
    a broken backend does not cost a training attempt per message.
    """

    def __init__(
        self,
        source: StarterSource,
        cache: ArtifactCache,
        backend: ModelBackend | None,
        work: WorkQueue,
        retry_seconds: float = 300.0,
    ) -> None:
        self._source = source
        self._work = work
        self._cache = cache
        self._backend = backend
        self._retry_seconds = retry_seconds
        self._failed_at: float | None = None
        self._model: IntentModel | None = None
        self._lock = asyncio.Lock()

    @property
    def enabled(self) -> bool:
        return self._backend is not None

    async def dataset(self) -> Dataset:
        return await self._source.dataset()

    async def prepare(self) -> None:
        """Build (or load from the cache) now, so the first message does not wait for it."""
        await self.model()

    async def model(self) -> IntentModel | None:
        backend = self._backend
        if backend is None:
            return None
        if self._model is not None:
            return self._model
        async with self._lock:
            if self._model is None:
                if self._failed_at is not None and time.monotonic() - self._failed_at < self._retry_seconds:
                    return None
                try:
                    self._model = await self._build(backend)
                except (ParrotError, OSError) as error:
                    self._failed_at = time.monotonic()
                    log.warning("starter.unavailable", error=str(error), retry_seconds=self._retry_seconds)
                    return None
        return self._model

    async def extend(self, own: Dataset) -> Dataset:
        """`own` with the starter's examples added: the server's data wins where both say the same text."""
        return with_starter(own, await self.dataset())

    async def _build(self, backend: ModelBackend) -> IntentModel:
        dataset = await self.dataset()
        key = f"{dataset.content_hash}-{backend.name}"
        artifact = await self._cache.load(key)
        if artifact is None or artifact.backend != backend.name:
            log.info("starter.training", backend=backend.name, examples=len(dataset.examples))
            # Fitted wherever heavy work runs; only loading the artifact happens here.
            artifact = await self._work.run(TrainJob(dataset, backend.name))
            await self._cache.save(key, artifact)
        model = await backend.load(artifact)
        log.info("starter.ready", backend=backend.name, key=key)
        return model


def with_starter(own: Dataset, starter: Dataset) -> Dataset:
    """One dataset: the server's examples and answers, then the starter's for texts and intents it lacks."""
    seen = {normalise_text(example.text) for example in own.examples}
    added = tuple(
        Example(example.text, example.intent, example.answer)
        for example in starter.examples
        if normalise_text(example.text) not in seen
    )
    answers = {**starter.answers, **own.answers}
    return Dataset(name=f"{own.name} + {STARTER_NAME}", examples=own.examples + added, answers=answers)


def language_of_intent(intent: str) -> str:
    """The starter's intents end in their language: `greeting_en` -> `en`."""
    return intent.rsplit("_", 1)[-1] if "_" in intent else ""


async def cross_validated_accuracy(backend: ModelBackend, dataset: Dataset, folds: int = 5) -> dict[str, float]:
    """Top-1 accuracy per language (by intent suffix) over `folds`-fold cross-validation: {"en": 0.97, ...}."""
    hits: dict[str, int] = {}
    totals: dict[str, int] = {}
    for training, held_out in split_folds(dataset, folds):
        model = await backend.load(await backend.train(training, lambda fraction, stage: None))
        predictions = await model.predict_many([example.text for example in held_out.examples])
        for example, prediction in zip(held_out.examples, predictions, strict=True):
            language = language_of_intent(example.intent)
            totals[language] = totals.get(language, 0) + 1
            hits[language] = hits.get(language, 0) + (prediction.intent == example.intent)
    return {language: hits[language] / totals[language] for language in sorted(totals)}
