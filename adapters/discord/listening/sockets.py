"""The UDP sockets of Parrot's voice client, so that discord.py's reader thread never sleeps on a dead one.

discord.py 2.7's reader thread waits in a 30 s select() on the connection's UDP socket. With a listener
registered it is always in one, so a socket that a reconnection closes must wake it: otherwise the new
socket's IP discovery, which that thread must read, waits up to 30 s and the reconnection times out.

Shutting a socket down wakes the select (so does, before it is connected, a datagram to its own port).
Closing the descriptor right after is not enough: on a loaded machine the woken thread may run only after
the descriptor is closed and its number given to the new socket; select() then checks the new socket
without waiting on it, and sleeps its 30 s out. So a socket discord.py closes is shut down at once and
refuses reads, and its descriptor is closed by the reader thread itself, at its next read (it is out of
select then), or when the connection ends.
"""

import contextlib
import errno
import socket
import threading


class WakingSocket(socket.socket):
    """A voice UDP socket whose close() wakes the reader waiting on it and leaves the descriptor to `VoiceSockets`."""

    sockets: "VoiceSockets"
    shut = False

    def close(self) -> None:
        if self.shut:
            return
        self.shut = True
        try:
            self.shutdown(socket.SHUT_RDWR)  # wakes a select() waiting on this socket in another thread
        except OSError:
            # Not connected yet (a handshake that failed early): a datagram to its own port wakes it instead.
            with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as waker:
                waker.sendto(b"", ("127.0.0.1", self.getsockname()[1]))
        self.sockets.retire(self)

    def recv(self, bufsize: int, flags: int = 0, /) -> bytes:
        # Only discord.py's reader thread reads the socket (after its select()): it is safe to release them here.
        self.sockets.release_retired()
        if self.shut:
            raise OSError(errno.EBADF, "the voice socket was closed")
        return super().recv(bufsize, flags)

    def release(self) -> None:
        super().close()


class VoiceSockets:
    """The sockets of one voice connection state: made bound, and released once no select() can wait on them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._retired: list[WakingSocket] = []

    def new(self) -> WakingSocket:
        made = WakingSocket(socket.AF_INET, socket.SOCK_DGRAM)
        made.sockets = self
        made.bind(("0.0.0.0", 0))  # bound now (connecting would bind it later), so it can be woken  # noqa: S104
        made.setblocking(False)
        return made

    def retire(self, closed: WakingSocket) -> None:
        with self._lock:
            self._retired.append(closed)

    def release_retired(self) -> None:
        """Close the descriptors of sockets closed so far; called on the reader thread, out of its select()."""
        if not self._retired:
            return
        with self._lock:
            retired, self._retired = self._retired, []
        for closed in retired:
            closed.release()

    @property
    def retired(self) -> int:
        return len(self._retired)
