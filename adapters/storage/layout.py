"""Where each space's data lives under the data root."""

from dataclasses import dataclass
from pathlib import Path

from adapters.storage.atomic import make_private_folders
from domain.spaces import Space


@dataclass(frozen=True, slots=True)
class SpaceLayout:
    root: Path

    def space(self, space: Space) -> Path:
        return self.root / "spaces" / space.key

    def datasets(self, space: Space) -> Path:
        return self.space(space) / "datasets"

    def models(self, space: Space) -> Path:
        return self.space(space) / "models"

    def archives(self, space: Space) -> Path:
        return self.space(space) / "archives"

    def files(self, space: Space) -> Path:
        return self.space(space) / "files"

    def feedback(self, space: Space) -> Path:
        return self.space(space) / "feedback.jsonl"

    def corrections(self, space: Space) -> Path:
        return self.space(space) / "corrections.jsonl"

    def thumbs_down(self, space: Space) -> Path:
        return self.space(space) / "thumbs_down.jsonl"

    def review(self, space: Space) -> Path:
        return self.space(space) / "review.jsonl"

    def voice_turns(self, space: Space) -> Path:
        return self.space(space) / "voice_transcripts.jsonl"

    def settings(self, space: Space) -> Path:
        return self.space(space) / "settings.json"

    def prepare(self, space: Space) -> Path:
        """Create the space's folders, so a new guild's users find the layout docs/data.md describes."""
        for folder in (self.datasets(space), self.models(space), self.archives(space), self.files(space)):
            make_private_folders(folder)
        return self.space(space)
