"""What the adapters' containers share: backends that hold threads or processes are closed at shutdown."""

from collections.abc import Iterator
from typing import Protocol, TypeVar


class Closable(Protocol):
    def close(self) -> None: ...


B = TypeVar("B", bound=Closable)


def opened(backend: B) -> Iterator[B]:
    """A backend that holds worker threads, closed by `container.shutdown_resources()`."""
    try:
        yield backend
    finally:
        backend.close()
