"""Files users may fetch (`files/`) and directories they may archive, inside their own space."""

import asyncio
import io
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from adapters.storage.atomic import make_private_folders, write_atomic_sync
from adapters.storage.layout import SpaceLayout
from adapters.storage.sandbox import existing_file_inside, resolve_inside
from application.ports.storage import StoredFile
from domain.errors import InvalidArgument, NotFound, TooLarge
from domain.spaces import Space
from domain.text import Code, say


class FilesystemVault:
    def __init__(self, layout: SpaceLayout, archives_kept: int = 5) -> None:
        self._layout = layout
        self._archives_kept = archives_kept

    async def read_file(self, space: Space, path: str, max_bytes: int) -> StoredFile:
        return await asyncio.to_thread(_read_limited, self._layout.files(space), path, max_bytes)

    async def archive_directory(self, space: Space, path: str, max_bytes: int, max_entries: int) -> StoredFile:
        return await asyncio.to_thread(self._archive, space, path, max_bytes, max_entries)

    def _archive(self, space: Space, path: str, max_bytes: int, max_entries: int) -> StoredFile:
        self._layout.prepare(space)
        archives = self._layout.archives(space)
        made = _archive(self._layout.space(space), archives, path, max_bytes, max_entries)
        _keep_newest(archives, self._archives_kept, made.name)
        return made


def _read_limited(root: Path, user_path: str, max_bytes: int) -> StoredFile:
    make_private_folders(root)
    path = existing_file_inside(root, user_path)
    size = path.stat().st_size
    if size > max_bytes:
        raise TooLarge(say("The file ", Code(user_path)), size, max_bytes)
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(say("The file ", Code(user_path)), len(data), max_bytes)
    return StoredFile(path.name, data)


def _archive(space_root: Path, archives: Path, user_path: str, max_bytes: int, max_entries: int) -> StoredFile:
    directory = resolve_inside(space_root, user_path)
    if not directory.is_dir():
        raise NotFound(say("There is no directory ", Code(user_path), " here."))
    # realpath never raises, even for a loop of links; resolve_inside has refused those in the user's path.
    real_archives = Path(os.path.realpath(archives))
    if directory == real_archives or directory.is_relative_to(real_archives):
        raise InvalidArgument("Archives are not archived again; choose another directory.")
    if directory == Path(os.path.realpath(space_root)):
        # Only a link can lead here (a path naming the space itself is refused): it would take `archives/` along.
        raise InvalidArgument(
            say(Code(user_path), " leads to the top of this server's data through a link; choose a folder inside it.")
        )
    files = _files_to_archive(directory, max_entries, user_path, real_archives)
    if not files:
        raise NotFound(say("The directory ", Code(user_path), " has no files to archive."))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            archive.write(file, arcname=file.relative_to(directory).as_posix())
            # Checked after each file so a huge directory stops early instead of filling memory.
            if buffer.tell() > max_bytes:
                raise TooLarge(say("The archive of ", Code(user_path)), buffer.tell(), max_bytes)
    data = buffer.getvalue()
    if len(data) > max_bytes:
        raise TooLarge(say("The archive of ", Code(user_path)), len(data), max_bytes)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    label = "-".join(directory.relative_to(os.path.realpath(space_root)).parts) or "space"
    name = f"{label}-{stamp}.zip"
    write_atomic_sync(archives / name, data)
    return StoredFile(name, data)


def _files_to_archive(directory: Path, max_entries: int, user_path: str, archives: Path) -> list[Path]:
    """Regular files only: links are left out, so nothing outside the space is ever read, nor archives."""
    found: list[Path] = []
    for current, folders, names in os.walk(directory, followlinks=False):
        folders[:] = sorted(f for f in folders if not (Path(current) / f).is_symlink() and Path(current, f) != archives)
        for name in sorted(names):
            file = Path(current) / name
            if file.is_symlink() or not file.is_file() or file.stat().st_nlink > 1:
                continue
            found.append(file)
            if len(found) > max_entries:
                raise InvalidArgument(
                    say(
                        "The directory ", Code(user_path), f" has more than {max_entries} files; archive a smaller one."
                    )
                )
    return found


def _keep_newest(archives: Path, kept: int, just_made: str) -> None:
    """Delete all but the `kept` newest archives (the one just made is always among them)."""
    older = sorted(
        (entry.stat().st_mtime_ns, entry.name)
        for entry in os.scandir(archives)
        if entry.name.endswith(".zip") and entry.name != just_made and entry.is_file(follow_symlinks=False)
    )
    for _, name in older[: max(0, len(older) - (kept - 1))]:
        (archives / name).unlink(missing_ok=True)
