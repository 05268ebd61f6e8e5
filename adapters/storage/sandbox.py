"""Resolving a user's path inside a root, refusing every way out of it."""

import errno
import os
import re
import unicodedata
from pathlib import Path

from domain.errors import NotFound, PathOutsideRoot
from domain.text import Code, say

MAX_PATH_CHARS = 512
MAX_NAME_BYTES = 255
_DRIVE = re.compile(r"^[A-Za-z]:")
_ENCODED = re.compile(r"%[0-9A-Fa-f]{2}")


def clean_relative(user_path: str) -> tuple[str, ...]:
    """The parts of a relative path, or PathOutsideRoot saying why it is refused.

    Refused: NUL and control characters, absolute paths (POSIX, Windows drive or UNC),
    `..` anywhere (also as Unicode look-alikes, after NFKC folding), URL-encoded
    characters (never decoded, so never a way round the checks), over-long names.
    """
    if not user_path.strip():
        raise PathOutsideRoot(user_path, "it is empty")
    if len(user_path) > MAX_PATH_CHARS:
        raise PathOutsideRoot(user_path, f"it is longer than {MAX_PATH_CHARS} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in user_path):
        raise PathOutsideRoot(user_path, "it contains control characters")
    if _ENCODED.search(user_path):
        raise PathOutsideRoot(user_path, "URL-encoded characters are not accepted in paths")
    folded = unicodedata.normalize("NFKC", user_path)
    if folded != user_path and any(ch in folded for ch in "./\\:"):
        # A look-alike of a separator or a dot would mean something else after folding.
        raise PathOutsideRoot(user_path, "it contains look-alike characters of `.`, `/` or `\\`")
    unified = folded.replace("\\", "/")
    if unified.startswith("/") or _DRIVE.match(unified):
        raise PathOutsideRoot(user_path, "absolute paths are not allowed; give a path relative to the folder")
    parts = tuple(part for part in unified.split("/") if part not in ("", "."))
    if any(part == ".." for part in parts):
        raise PathOutsideRoot(user_path, "`..` is not allowed")
    if not parts:
        raise PathOutsideRoot(user_path, "it names no file")
    if any(len(part.encode("utf-8")) > MAX_NAME_BYTES for part in parts):
        raise PathOutsideRoot(user_path, "a name in it is too long")
    return parts


def resolve_inside(root: Path, user_path: str) -> Path:
    """`root / user_path`, refusing anything that leads outside `root`, symbolic links included."""
    parts = clean_relative(user_path)
    real_root = _resolve(root, user_path)
    resolved = _resolve(real_root.joinpath(*parts), user_path)
    if not resolved.is_relative_to(real_root):
        raise PathOutsideRoot(user_path, "it leads outside the allowed folder through a link")
    return resolved


def _resolve(path: Path, user_path: str) -> Path:
    """`path` with every link followed; a loop of links (`a -> b -> a`) is refused, not an error."""
    try:
        return path.resolve()
    except RuntimeError:  # what pathlib raises for a loop of symbolic links
        raise PathOutsideRoot(user_path, "it goes round a loop of symbolic links") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise PathOutsideRoot(user_path, "it goes round a loop of symbolic links") from None
        raise PathOutsideRoot(user_path, f"it cannot be followed ({error.strerror})") from None


def existing_file_inside(root: Path, user_path: str) -> Path:
    path = resolve_inside(root, user_path)
    if not path.is_file():
        raise NotFound(say("There is no file ", Code(user_path), " here."))
    if path.stat().st_nlink > 1:
        # A hard link's other names may live outside the root; we cannot tell, so we refuse.
        raise PathOutsideRoot(user_path, "it is a hard link")
    return path


def safe_file_name(name: str, fallback: str = "upload") -> str:
    """A user-supplied file name reduced to a plain name that stays inside its folder."""
    base = unicodedata.normalize("NFKC", name).replace("\\", "/").split("/")[-1]
    base = re.sub(r"[^\w.\- ]", "_", base).strip(" .")
    base = base[:100]
    return base or fallback


def is_within(path: Path, root: Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(Path(os.path.realpath(root)))
