"""Who is behind each SSRC, from the voice gateway's messages, and the packets that came before we knew.

Discord names a member's audio SSRC in SPEAKING (op 5) and, on older servers, in CLIENT_CONNECT (op 12);
CLIENTS_CONNECT (op 11) lists members without SSRCs; CLIENT_DISCONNECT (op 13) says a member left. A
packet can beat its SPEAKING message: it waits here briefly, in bounded buffers.
"""

import threading
from collections import OrderedDict, deque
from typing import Any

SPEAKING = 5
CLIENTS_CONNECT = 11
CLIENT_CONNECT = 12
CLIENT_DISCONNECT = 13


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


class SpeakerMap:
    """SSRC -> user id (audio), and the SSRCs of video streams; safe to read from the socket thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users: dict[int, int] = {}
        self._video: set[int] = set()
        self.present: set[int] = set()

    def user_of(self, ssrc: int) -> int | None:
        with self._lock:
            return self._users.get(ssrc)

    def is_video(self, ssrc: int) -> bool:
        with self._lock:
            return ssrc in self._video

    def ssrcs_of(self, user_id: int) -> list[int]:
        with self._lock:
            return [ssrc for ssrc, user in self._users.items() if user == user_id]

    def on_gateway(self, op: int, data: Any) -> list[int]:
        """Update from one voice gateway message; returns SSRCs that just got their member."""
        if not isinstance(data, dict):
            return []
        with self._lock:
            if op in (SPEAKING, CLIENT_CONNECT):
                user_id = _int(data.get("user_id"))
                ssrc = _int(data.get("ssrc", data.get("audio_ssrc")))
                video = _int(data.get("video_ssrc"))
                if video:
                    self._video.add(video)
                if user_id is None or not ssrc:
                    return []
                self.present.add(user_id)
                known = self._users.get(ssrc) == user_id
                self._users[ssrc] = user_id
                return [] if known else [ssrc]
            if op == CLIENTS_CONNECT:
                ids = data.get("user_ids")
                if isinstance(ids, list):
                    self.present.update(i for i in map(_int, ids) if i is not None)
                return []
            if op == CLIENT_DISCONNECT:
                user_id = _int(data.get("user_id"))
                self.present.discard(user_id or -1)
                for ssrc in [s for s, u in self._users.items() if u == user_id]:
                    del self._users[ssrc]
        return []


class EarlyPackets:
    """Packets from SSRCs not yet mapped: at most `per_ssrc` each, from at most `ssrcs` senders (oldest go)."""

    def __init__(self, per_ssrc: int = 25, ssrcs: int = 32) -> None:
        self._per_ssrc = per_ssrc
        self._ssrcs = ssrcs
        self._lock = threading.Lock()
        self._waiting: OrderedDict[int, deque[bytes]] = OrderedDict()

    def hold(self, ssrc: int, packet: bytes) -> bool:
        """Keep `packet` for later; False when it had to be dropped (or pushed out an older one)."""
        with self._lock:
            queue = self._waiting.get(ssrc)
            if queue is None:
                if len(self._waiting) >= self._ssrcs:
                    self._waiting.popitem(last=False)
                queue = self._waiting[ssrc] = deque(maxlen=self._per_ssrc)
            full = len(queue) == queue.maxlen
            queue.append(packet)
            return not full

    def release(self, ssrc: int) -> list[bytes]:
        with self._lock:
            return list(self._waiting.pop(ssrc, ()))

    def __len__(self) -> int:
        with self._lock:
            return sum(len(queue) for queue in self._waiting.values())
