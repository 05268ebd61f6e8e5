"""The review inbox: messages Parrot was unsure about, or users corrected or rated down; similar ones grouped."""

from dataclasses import dataclass
from datetime import date

from application.review.activity import PENDING, ActivityLog, ReviewItem
from application.text_matching import similarity
from domain.errors import InvalidArgument
from domain.spaces import Space

SIMILAR = 0.5


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
    def __init__(self, activity: ActivityLog, similar: float = SIMILAR) -> None:
        self._activity = activity
        self._similar = similar

    async def __call__(self, space: Space, wanted: InboxFilter) -> InboxView:
        everything = await self._activity.items(space)
        chosen = sorted((item for item in everything if wanted.admits(item)), key=lambda item: item.confidence)
        groups: list[list[ReviewItem]] = []
        for item in chosen:
            for group in groups:
                if similarity(group[0].text, item.text) >= self._similar:
                    group.append(item)
                    break
            else:
                groups.append([item])
        intents = tuple(sorted({item.intent for item in everything if item.intent}))
        return InboxView(tuple(InboxGroup(tuple(group)) for group in groups), intents)
