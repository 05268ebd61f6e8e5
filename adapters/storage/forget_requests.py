"""Each member's last `forget me`, per space, in this process's memory: what the file storage always had.

One process only: a second process on the same data root does not see it. The database keeps it for all
(adapters/database/forget_requests.py).
"""

from datetime import datetime

from domain.ids import UserId
from domain.spaces import Space


class ProcessForgetRequests:
    def __init__(self) -> None:
        self._noted: dict[tuple[Space, UserId], datetime] = {}

    async def note(self, space: Space, member: UserId, at: datetime) -> None:
        self._noted[(space, member)] = at

    async def last(self, space: Space, member: UserId) -> datetime | None:
        return self._noted.get((space, member))
