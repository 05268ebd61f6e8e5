"""The review inbox: messages Parrot was unsure about, or users corrected or rated down; similar ones grouped.

Messages are alike when the model's own sentence encoder finds them close in meaning ("what's the weather
today?" and "what is the weather tomorrow" share few words), so one answer serves them all. Without an encoder
(a backend that embeds nothing, or one that cannot load) shared words decide, as they always could.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import structlog

from application.ports.model import MeaningSimilarity
from application.review.activity import PENDING, ActivityLog, ReviewItem
from application.review.grouping import group_leads
from domain.errors import BackendUnavailable, InvalidArgument
from domain.spaces import Space

log = structlog.get_logger(__name__)

SIMILAR = 0.5  # word overlap (Jaccard) from which two messages are alike, without an encoder


@dataclass(frozen=True, slots=True)
class InboxFilter:
    intent: str = ""
    since: date | None = None
    until: date | None = None
    min_confidence: float = 0.0
    max_confidence: float = 1.0
    state: str = PENDING
    reason: str = ""  # unsure, corrected or thumbs-down; empty for any

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_confidence <= self.max_confidence <= 1.0:
            raise InvalidArgument("The confidence range must go from a lower to a higher value between 0 and 100 %.")
        if self.since is not None and self.until is not None and self.since > self.until:
            raise InvalidArgument("The date range must start before it ends.")

    def admits(self, item: ReviewItem) -> bool:
        day = item.at.date()
        return (
            (not self.state or item.state == self.state)
            and (not self.reason or item.reason == self.reason)
            and (not self.intent or item.intent == self.intent)
            and (self.since is None or day >= self.since)
            and (self.until is None or day <= self.until)
            and self.min_confidence <= item.confidence <= self.max_confidence
        )


@dataclass(frozen=True, slots=True)
class InboxGroup:
    """Similar messages: the least sure one leads, the others follow it."""

    items: tuple[ReviewItem, ...]

    @property
    def lead(self) -> ReviewItem:
        return self.items[0]

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(item.text for item in self.items)


@dataclass(frozen=True, slots=True)
class InboxView:
    groups: tuple[InboxGroup, ...]
    intents: tuple[str, ...]


class ReviewInbox:
    def __init__(
        self, activity: ActivityLog, meaning: MeaningSimilarity | None = None, similar: float = SIMILAR
    ) -> None:
        self._activity = activity
        self._meaning = meaning
        self._similar = similar

    async def __call__(self, space: Space, wanted: InboxFilter) -> InboxView:
        everything = await self._activity.items(space)
        chosen = sorted((item for item in everything if wanted.admits(item)), key=lambda item: item.confidence)
        leads = await self._leads([item.text for item in chosen])
        groups: dict[int, list[ReviewItem]] = {}
        for item, lead in zip(chosen, leads, strict=True):
            groups.setdefault(lead, []).append(item)
        intents = tuple(sorted({item.intent for item in everything if item.intent}))
        return InboxView(tuple(InboxGroup(tuple(items)) for items in groups.values()), intents)

    async def _leads(self, texts: Sequence[str]) -> Sequence[int]:
        """Each text's group lead (in order, the first earlier lead alike with it): by meaning where the encoder
        answers, by shared words otherwise."""
        if self._meaning is not None and texts:
            try:
                return await self._meaning.leads(texts)
            except BackendUnavailable as error:
                # The page still works, grouping by words; the log says why it is coarser.
                log.warning("review.inbox.no_encoder", reason=str(error))
        # Thousands of messages take a noticeable fraction of a second: the bot keeps answering meanwhile.
        return await asyncio.to_thread(group_leads, texts, self._similar)
