"""Property-based: any bytes into the dataset parser and the audio decoder, any links in a space's files,
give a result or a clear refusal.

Never an unhandled exception, never a leftover temporary file.
"""

import asyncio
import io
import os
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.audio.codec import PyAvAudioCodec
from adapters.datasets.parser import DatasetFileParser
from adapters.storage.file_vault import FilesystemVault
from adapters.storage.layout import SpaceLayout
from domain.errors import ParrotError
from domain.ids import GuildId
from domain.spaces import Space
from domain.training import Dataset
from support.shared_data import shared_data

NAMES = st.sampled_from(["data.csv", "data.tsv", "data.jsonl", "data.json", "faq.txt", "nlu.yml", "noext"])
PIECES = st.sampled_from(
    [
        "text,intent,answer\n",
        "question\tlabel\n",
        '{"text": "hi", "intent": "greet"}\n',
        '{"messages": [',
        "Q: hello\n",
        "A: hi\n",
        "hello => hi\n",
        "nlu:\n- intent: greet\n  examples: |\n    - hi\n",
        "[[[[",
        '"',
        ",",
        "\n",
        "oos",
        "\x00",
        "\ufeff",
        "=>",
        "- ",
        "  ",
        "é",
        "{",
        "}",
        ":",
    ]
)
SPACE = Space(guild_id=GuildId(1))
DATASET_TEXT = st.lists(st.one_of(PIECES, st.text(max_size=20)), max_size=40).map("".join)
PARSER = DatasetFileParser(max_bytes=200_000, max_examples=500)


@given(name=NAMES, text=DATASET_TEXT)
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_any_dataset_text_parses_or_is_refused_with_reasons(name: str, text: str) -> None:
    try:
        dataset = PARSER.parse(text.encode("utf-8", errors="surrogatepass"), name)
    except ParrotError as refusal:
        assert refusal.user_message.strip()
    else:
        assert isinstance(dataset, Dataset) and dataset.examples


@given(name=NAMES, data=st.binary(max_size=2000))
@settings(max_examples=200)
def test_any_bytes_parse_or_are_refused(name: str, data: bytes) -> None:
    try:
        PARSER.parse(data, name)
    except ParrotError as refusal:
        assert refusal.user_message.strip()


REAL_CLIP = shared_data("speech", "en_jfk.ogg").read_bytes()
CODEC = PyAvAudioCodec(max_bytes=5_000_000)


@given(
    data=st.one_of(
        st.binary(max_size=4000),
        st.integers(0, len(REAL_CLIP)).map(lambda n: REAL_CLIP[:n]),
        st.tuples(st.integers(0, len(REAL_CLIP) - 1), st.binary(min_size=1, max_size=64)).map(
            lambda cut: REAL_CLIP[: cut[0]] + cut[1] + REAL_CLIP[cut[0] + len(cut[1]) :]
        ),
    ),
    name=st.sampled_from(["voice.ogg", "a.mp3", "a.m4a", "a.wav", "a.flac", "a.webm", "a.bin"]),
)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])
def test_random_truncated_or_damaged_audio_decodes_or_is_refused(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as private:
        # Python's temporary files go to a folder of this test's own, which must stay empty.
        saved, tempfile.tempdir = tempfile.tempdir, private
        try:
            clip = asyncio.run(CODEC.decode(data, name, 600))
        except ParrotError as refusal:
            assert refusal.user_message.strip()
        else:
            assert clip.sample_rate == 16000 and clip.pcm
        finally:
            tempfile.tempdir = saved
        assert not any(Path(private).iterdir())


# A space's `files/` built from generated entries: folders, files, and links to each other, to themselves,
# to the space, to `archives/` and out of the space. Whatever the layout and the path asked for,
# `!getfile` and `!archive` give a file from inside, or a refusal; an archive never holds archives.
LINK_TARGETS = st.sampled_from(["self", "a", "b", "c", "d/e", "..", "../..", "../archives", "../../..", "/", "root"])
ENTRY = st.tuples(
    st.sampled_from(["a", "b", "c", "d", "d/e", "d/f"]), st.sampled_from(["dir", "file", "link"]), LINK_TARGETS
)
ASKED = st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f", "x", "..", "archives"]), min_size=1, max_size=4).map(
    "/".join
)


def build_files(space: Path, entries: list[tuple[str, str, str]]) -> None:
    files = space / "files"
    for name, kind, target in entries:
        path = files / name
        if os.path.lexists(path) or not path.parent.is_dir() or path.parent.is_symlink():
            continue
        if kind == "dir":
            path.mkdir()
        elif kind == "file":
            path.write_text(name)
        elif target == "self":
            path.symlink_to(path.name)
        elif target == "root":
            path.symlink_to(space.resolve())
        else:
            path.symlink_to(target)


@given(entries=st.lists(ENTRY, max_size=10), asked=ASKED)
@settings(max_examples=200, deadline=None)
def test_any_links_in_a_space_give_a_file_from_inside_or_a_refusal(
    entries: list[tuple[str, str, str]], asked: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "outside.txt").write_text("secret")
        layout = SpaceLayout(root)
        space = layout.prepare(SPACE)
        (layout.archives(SPACE) / "old.zip").write_bytes(b"PK old archive")
        build_files(space, entries)
        vault = FilesystemVault(layout)
        try:
            got = asyncio.run(vault.read_file(SPACE, asked, 10_000))
        except ParrotError as refusal:
            assert refusal.user_message.strip()
        else:
            assert got.data != b"secret"
        for directory in (f"files/{asked}", "files"):
            try:
                made = asyncio.run(vault.archive_directory(SPACE, directory, 1_000_000, 100))
            except ParrotError as refusal:
                assert refusal.user_message.strip()
            else:
                names = zipfile.ZipFile(io.BytesIO(made.data)).namelist()
                assert not [name for name in names if name.endswith(".zip") or name == "outside.txt"], names
