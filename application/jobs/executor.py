"""Doing one job of the work port with the backends at hand: what the in-process queue and `parrot worker` share.

It holds no user data: everything a job needs comes in the job, and everything it makes goes back in the result.
"""

import asyncio
from collections.abc import Mapping, Sequence
from typing import cast

from application.ports.model import IntentModel, ModelBackend, ProgressCallback, TrainedArtifact
from application.ports.speech import AudioCodec, SpeechToText, TextToSpeech, VoicesByLanguage
from application.ports.work import Job, SynthesiseJob, T, TestJob, TrainJob, TranscribeJob, WarmUpJob
from domain.errors import BackendUnavailable, InvalidAudio
from domain.evaluation import evaluate_predictions, split_folds
from domain.speech import EncodedAudio, Transcript
from domain.text import Code, say
from domain.training import OUT_OF_SCOPE, Dataset, EvaluationReport


def _ignore(fraction: float, stage: str) -> None:
    del fraction, stage


class JobExecutor:
    def __init__(
        self,
        codec: AudioCodec,
        stt: SpeechToText,
        tts: TextToSpeech,
        backends: Mapping[str, ModelBackend],
    ) -> None:
        self._codec = codec
        self._stt = stt
        self._tts = tts
        self._backends = backends

    async def warm_up(self, languages: Sequence[str] = ()) -> None:
        """The recogniser first (a turn is heard before it is answered), then the voices for `languages`."""
        await self._stt.warm_up()
        if languages and isinstance(self._tts, VoicesByLanguage):
            await self._tts.warm_up_languages(languages)
        else:
            await self._tts.warm_up()

    async def __call__(self, job: Job[T], progress: ProgressCallback | None = None) -> T:
        report = progress or _ignore
        result: object
        if isinstance(job, TranscribeJob):
            result = await self.transcribe(job)
        elif isinstance(job, SynthesiseJob):
            result = await self.synthesise(job)
        elif isinstance(job, TrainJob):
            result = await self.train(job, report)
        elif isinstance(job, TestJob):
            result = await self.test(job, report)
        elif isinstance(job, WarmUpJob):
            await self.warm_up(job.languages)
            result = None
        else:
            raise TypeError(f"no way to run a {type(job).__name__}")
        return cast(T, result)

    async def transcribe(self, job: TranscribeJob) -> Transcript:
        if not job.audio:
            raise InvalidAudio("That audio file is empty.")
        clip = await self._codec.decode(job.audio, job.filename, job.max_seconds)
        return await self._stt.transcribe(clip, job.language, job.among)

    async def synthesise(self, job: SynthesiseJob) -> EncodedAudio:
        clip = await self._tts.synthesize(job.text, job.language)
        return await self._codec.encode_for_voice(clip)

    async def train(self, job: TrainJob, progress: ProgressCallback) -> TrainedArtifact:
        return await self._backend(job.backend).train(job.dataset, progress)

    async def test(self, job: TestJob, progress: ProgressCallback) -> EvaluationReport:
        if job.artifact is not None:
            model = await self._backend(job.artifact.backend).load(job.artifact)
            return await self._on_test_data(model, job.dataset, progress)
        return await self._cross_validate(self._backend(job.backend), job.dataset, job.folds, progress)

    def _backend(self, name: str) -> ModelBackend:
        backend = self._backends.get(name)
        if backend is None:
            raise BackendUnavailable(say("The model backend ", Code(name, 40), " is not enabled where this ran."))
        return backend

    @staticmethod
    async def _on_test_data(model: IntentModel, dataset: Dataset, progress: ProgressCallback) -> EvaluationReport:
        progress(0.0, "predicting")
        predictions = await model.predict_many([example.text for example in dataset.examples])
        progress(1.0, "predicting")
        return await asyncio.to_thread(
            evaluate_predictions,
            [example.intent for example in dataset.examples],
            [p.intent if p.confident else OUT_OF_SCOPE for p in predictions],
            [p.confidence for p in predictions],
            "test data",
        )

    @staticmethod
    async def _cross_validate(
        backend: ModelBackend, dataset: Dataset, wanted_folds: int, progress: ProgressCallback
    ) -> EvaluationReport:
        smallest = min(dataset.counts().values(), default=0)
        folds = max(2, min(wanted_folds, smallest))
        truths: list[str] = []
        predicted: list[str] = []
        confidences: list[float] = []
        splits = await asyncio.to_thread(split_folds, dataset, folds, 0)
        for index, (train, held_out) in enumerate(splits):
            stage = f"fold {index + 1} of {len(splits)}"
            progress(index / len(splits), stage)

            def on_fold(fraction: float, _: str, index: int = index, stage: str = stage) -> None:
                progress((index + fraction * 0.9) / len(splits), stage)

            artifact = await backend.train(train, on_fold)
            model = await backend.load(artifact)
            predictions = await model.predict_many([example.text for example in held_out.examples])
            truths.extend(example.intent for example in held_out.examples)
            predicted.extend(p.intent if p.confident else OUT_OF_SCOPE for p in predictions)
            confidences.extend(p.confidence for p in predictions)
            progress((index + 1) / len(splits), stage)
        # Scoring tries every threshold over every prediction: not on the event loop.
        return await asyncio.to_thread(
            evaluate_predictions, truths, predicted, confidences, f"{len(splits)}-fold cross-validation"
        )
