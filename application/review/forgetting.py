"""Which of the review inbox's stored records `forget me` removes.

The store keeps every record of a message, and the latest one wins (application/review/activity.py). Deleting only
a member's own records would bring back an older version of an entry they rated down, so the whole entry goes
whenever its latest record is theirs; an older record of theirs under someone else's entry goes alone.
"""

from collections.abc import Sequence
from typing import NamedTuple

from application.learning.text_matching import normalise
from domain.ids import UserId


class RecordOwners(NamedTuple):
    """What the rule needs of one stored record: its message and who wrote it or rated it down."""

    text: str
    author_id: UserId | None
    rater_id: UserId | None


def records_to_forget(records: Sequence[RecordOwners], member: UserId) -> list[int]:
    """The positions in `records` (oldest first) that go when `member` is forgotten."""
    latest = {normalise(record.text): position for position, record in enumerate(records)}
    theirs = {key for key, position in latest.items() if _involves(records[position], member)}
    return [
        position
        for position, record in enumerate(records)
        if _involves(record, member) or normalise(record.text) in theirs
    ]


def _involves(record: RecordOwners, member: UserId) -> bool:
    return member in (record.author_id, record.rater_id)
