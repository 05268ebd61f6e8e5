"""A space's datasets, corrections, feedback and kept voice transcripts, as the data page lists them."""

from dataclasses import dataclass

from application.ports.storage import (
    DatasetInfo,
    DatasetStore,
    FeedbackLog,
    SettingsStore,
    SpaceSettings,
    StoredFile,
    VoiceTranscriptLog,
)
from domain.feedback import Correction, Feedback, ThumbsDown
from domain.spaces import Space
from domain.voice_turns import VoiceTurn


@dataclass(frozen=True, slots=True)
class DataView:
    datasets: tuple[DatasetInfo, ...]
    settings: SpaceSettings
    corrections: tuple[Correction, ...]
    feedback: tuple[Feedback, ...]
    thumbs_down: tuple[ThumbsDown, ...] = ()
    voice_turns: tuple[VoiceTurn, ...] = ()  # only where `settings voicelog` is (or was) on


class SpaceData:
    def __init__(
        self,
        datasets: DatasetStore,
        settings: SettingsStore,
        log: FeedbackLog,
        voice_log: VoiceTranscriptLog,
        feedback_shown: int = 100,
    ) -> None:
        self._datasets = datasets
        self._settings = settings
        self._log = log
        self._voice_log = voice_log
        self._feedback_shown = feedback_shown

    async def __call__(self, space: Space) -> DataView:
        corrections = await self._log.list_corrections(space)
        # One line per message: the latest correction is the one in force.
        latest: dict[str, Correction] = {}
        for correction in corrections:
            latest.pop(correction.user_text.casefold(), None)
            latest[correction.user_text.casefold()] = correction
        return DataView(
            datasets=tuple(await self._datasets.list_datasets(space)),
            settings=await self._settings.load(space),
            corrections=tuple(reversed(latest.values())),
            feedback=tuple(reversed(await self._log.list_feedback(space, self._feedback_shown))),
            thumbs_down=tuple(reversed(await self._log.list_thumbs_down(space, self._feedback_shown))),
            voice_turns=tuple(reversed(await self._voice_log.list_turns(space, self._feedback_shown))),
        )


class DatasetDownload:
    def __init__(self, datasets: DatasetStore, max_bytes: int) -> None:
        self._datasets = datasets
        self._max_bytes = max_bytes

    async def __call__(self, space: Space, name: str) -> StoredFile:
        """The stored file; the store refuses names outside the space's datasets."""
        return await self._datasets.read_dataset(space, name, self._max_bytes)
