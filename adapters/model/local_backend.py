"""What the local backends (tfidf, embedded, hybrid) share: fitting in a process pool, progress, loading."""

import asyncio
import uuid
from collections.abc import Callable
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypedDict

import structlog

from adapters.model.encoder import DEFAULT_ENCODER, ENCODERS, SentenceEncoder, shared_encoder
from adapters.model.fit_processes import FitProcesses
from adapters.model.fitting import FitRequest, fit, install_progress_queue
from adapters.model.linear_artifact import LinearArtifact
from adapters.model.linear_model import LinearIntentModel
from adapters.model.orphans import die_with_parent
from application.ports.model import ProgressCallback, TrainedArtifact
from domain.errors import BackendUnavailable, InvalidDataset
from domain.text import Code, say
from domain.training import Dataset

log = structlog.get_logger(__name__)

# Training time and memory grow with the number of intents (one linear model each): above this, refuse.
DEFAULT_MAX_INTENTS = 500


class FittingOptions(TypedDict, total=False):
    """Where and how every local backend fits (LocalBackend says what each means).

    The backends pass these through unchanged, so they are named once here and their defaults stay LocalBackend's.
    """

    pool: Executor | None
    workers: int
    max_tasks_per_child: int | None
    max_intents: int


class EncoderOptions(FittingOptions, total=False):
    """The fitting options and the sentence encoder's, for the backends that embed (embedded, hybrid)."""

    model_path: Path | None
    tokenizer_path: Path | None
    threads: int
    encoder: str


class LocalBackend:
    """A ModelBackend whose fitting runs in a separate process, so the bot keeps answering meanwhile.

    `pool`: an executor to fit in (then progress is reported only at the start and the end, and a fit cut short
    runs on to its end, unseen). Without one, fits run in up to `workers` spawned processes (FitProcesses);
    each fits `max_tasks_per_child` models and then exits, giving its memory back (None keeps it alive, which
    saves start-up time). A training cancelled (its deadline passed) kills the process fitting it.
    A spawned worker imports the program's main module again: its start must sit under
    `if __name__ == "__main__":`, as console scripts' does.
    """

    name = "local"

    def __init__(
        self,
        *,
        use_embeddings: bool,
        use_tfidf: bool,
        threshold: float,
        embedding_c: float = 10.0,
        tfidf_c: float = 0.3,
        model_path: Path | None = None,
        tokenizer_path: Path | None = None,
        threads: int = 2,
        encoder: str = DEFAULT_ENCODER,
        pool: Executor | None = None,
        workers: int = 1,
        max_tasks_per_child: int | None = 1,
        seed: int = 0,
        max_intents: int = DEFAULT_MAX_INTENTS,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError("the out-of-scope threshold is a probability, between 0 and 1")
        self._use_embeddings = use_embeddings
        self._use_tfidf = use_tfidf
        self._threshold = threshold
        self._embedding_c = embedding_c
        self._tfidf_c = tfidf_c
        self._model_path = model_path
        self._tokenizer_path = tokenizer_path
        self._threads = threads
        if encoder not in ENCODERS:
            raise ValueError(f"unknown sentence encoder {encoder!r}; choose among {', '.join(ENCODERS)}")
        self._encoder = encoder
        self._pool = pool
        self._processes: FitProcesses | None = None
        self._workers = workers
        self._max_tasks_per_child = max_tasks_per_child
        self._seed = seed
        self._max_intents = max_intents

    async def train(self, dataset: Dataset, progress: ProgressCallback) -> TrainedArtifact:
        labels = {example.intent for example in dataset.examples}
        if len(labels) < 2:
            raise InvalidDataset(
                say("At least two intents are needed to train; ", Code(dataset.name), f" has {len(labels)}.")
            )
        if len(labels) > self._max_intents:
            raise InvalidDataset(
                say(
                    Code(dataset.name),
                    f" has {len(labels):,} intents; the limit is {self._max_intents:,} (setting ",
                    Code("model.max_intents"),
                    "). Merge intents that share an answer, or split the dataset.",
                )
            )
        job = uuid.uuid4().hex
        request = FitRequest(
            backend=self.name,
            use_embeddings=self._use_embeddings,
            use_tfidf=self._use_tfidf,
            texts=tuple(example.text for example in dataset.examples),
            labels=tuple(example.intent for example in dataset.examples),
            answers=dict(dataset.answers),
            embedding_c=self._embedding_c,
            tfidf_c=self._tfidf_c,
            model_path=str(self._model_path) if self._model_path else None,
            tokenizer_path=str(self._tokenizer_path) if self._tokenizer_path else None,
            threads=self._threads,
            encoder=self._encoder,
            seed=self._seed,
            job=job,
        )
        progress(0.0, "starting")

        def relay(message: Any) -> None:
            """Pass the fitting process's progress on, to this training's callback only."""
            sent_by, fraction, stage = message
            if sent_by == job and fraction < 1.0:
                progress(fraction, stage)

        try:
            data, metrics = await self._fit(request, relay)
        except BrokenProcessPool as error:
            raise BackendUnavailable("The training process stopped unexpectedly (out of memory?).") from error
        except (InvalidDataset, BackendUnavailable):
            raise
        except Exception as error:
            log.exception("model.training_failed", backend=self.name, examples=len(dataset.examples))
            raise BackendUnavailable(f"Training failed ({type(error).__name__}).") from error
        progress(1.0, "done")
        return TrainedArtifact(backend=self.name, data=data, metrics=metrics)

    async def load(self, artifact: TrainedArtifact) -> LinearIntentModel:
        if artifact.backend != self.name:
            raise BackendUnavailable(f"That model was made by the `{artifact.backend}` backend, not `{self.name}`.")
        try:
            parsed = await asyncio.to_thread(LinearArtifact.from_bytes, artifact.data)
        except (ValueError, KeyError, OSError) as error:
            raise BackendUnavailable("The stored model could not be read; please train again.") from error
        encoder: SentenceEncoder | None = None
        if parsed.embedding is not None:
            encoder = await asyncio.to_thread(
                shared_encoder, self._model_path, self._tokenizer_path, self._threads, parsed.encoder or "minilm"
            )
        return LinearIntentModel(parsed, self._threshold, encoder)

    async def warm_up(self) -> None:
        """Load the sentence encoder now rather than on the first message (a second or so)."""
        if self._use_embeddings:
            await asyncio.to_thread(
                shared_encoder, self._model_path, self._tokenizer_path, self._threads, self._encoder
            )

    def close(self) -> None:
        """Stop the fitting processes made here (a pool given to the constructor belongs to the caller)."""
        if self._processes is not None:
            self._processes.close()
            self._processes = None

    async def _fit(self, request: FitRequest, relay: Callable[[Any], None]) -> tuple[bytes, dict[str, float]]:
        if self._pool is not None:
            # A given executor (threads, in tests) cannot stop a call: cancelling only stops the waiting.
            return await asyncio.get_running_loop().run_in_executor(self._pool, fit, request)
        if self._processes is None:
            self._processes = FitProcesses(
                _start_worker, workers=self._workers, max_tasks_per_child=self._max_tasks_per_child
            )
        return await self._processes.run(fit, request, relay)


def _start_worker(progress_queue: Any, parent_pid: int) -> None:
    """Each worker process's first call: it ends with the bot (a killed bot leaves no worker), and reports."""
    die_with_parent(parent_pid)
    install_progress_queue(progress_queue)
