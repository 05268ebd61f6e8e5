"""Links inside a space: loops are refused, not crashes; `!archive` never takes archives along; archives are
kept to `limits.archives_kept` (issue 14, defects 7 and 11)."""

import os
import zipfile
from io import BytesIO
from pathlib import Path

import pytest

from adapters.storage.file_vault import FilesystemVault
from adapters.storage.layout import SpaceLayout
from domain.errors import InvalidArgument, PathOutsideRoot
from domain.ids import GuildId
from domain.spaces import Space

ONE = Space(guild_id=GuildId(1))


@pytest.fixture
def layout(tmp_path: Path) -> SpaceLayout:
    layout = SpaceLayout(tmp_path)
    layout.prepare(ONE)
    files = layout.files(ONE)
    (files / "loop").symlink_to("loop")
    (files / "a").symlink_to("b")
    (files / "b").symlink_to("a")
    (files / "docs").mkdir()
    (files / "docs" / "menu.txt").write_text("soup")
    (files / "docs" / "cycle").symlink_to("../docs/cycle")
    return layout


@pytest.mark.parametrize("path", ["loop", "a", "b", "loop/x", "a/b/c", "docs/cycle", "docs/cycle/menu.txt"])
async def test_a_loop_of_links_is_refused_by_getfile_and_archive(layout: SpaceLayout, path: str) -> None:
    vault = FilesystemVault(layout)
    with pytest.raises(PathOutsideRoot, match="loop of symbolic links"):
        await vault.read_file(ONE, path, 1000)
    with pytest.raises(PathOutsideRoot, match="loop of symbolic links"):
        await vault.archive_directory(ONE, f"files/{path}", 1_000_000, 100)


async def test_a_folder_holding_loops_is_archived_without_them(layout: SpaceLayout) -> None:
    archive = await FilesystemVault(layout).archive_directory(ONE, "files", 1_000_000, 100)
    assert zipfile.ZipFile(BytesIO(archive.data)).namelist() == ["docs/menu.txt"]


async def test_a_files_folder_that_is_itself_a_loop_is_refused(tmp_path: Path) -> None:
    layout = SpaceLayout(tmp_path)
    layout.space(ONE).mkdir(parents=True)
    layout.files(ONE).symlink_to("files")
    with pytest.raises(PathOutsideRoot, match="loop of symbolic links"):
        await FilesystemVault(layout).read_file(ONE, "menu.txt", 1000)


@pytest.mark.parametrize("target", ["../..", "../../../guild-1", "absolute"])
async def test_a_link_to_the_space_itself_never_archives_the_archives(layout: SpaceLayout, target: str) -> None:
    vault = FilesystemVault(layout)
    await vault.archive_directory(ONE, "files/docs", 1_000_000, 100)  # an archive to be tempted by
    link = layout.files(ONE) / "docs" / "up"
    link.symlink_to(layout.space(ONE).resolve() if target == "absolute" else target, target_is_directory=True)
    with pytest.raises(InvalidArgument, match="leads to the top of this server's data through a link"):
        await vault.archive_directory(ONE, "files/docs/up", 10_000_000, 1000)
    (layout.files(ONE) / "to-archives").symlink_to(layout.archives(ONE).resolve())
    with pytest.raises(InvalidArgument, match="Archives are not archived again"):
        await vault.archive_directory(ONE, "files/to-archives", 10_000_000, 1000)
    archive = await vault.archive_directory(ONE, "files", 10_000_000, 1000)
    assert not [name for name in zipfile.ZipFile(BytesIO(archive.data)).namelist() if name.endswith(".zip")]


async def test_only_the_newest_archives_are_kept(layout: SpaceLayout) -> None:
    vault = FilesystemVault(layout, archives_kept=3)
    made = []
    for number in range(6):
        (layout.files(ONE) / "docs" / "menu.txt").write_text(f"soup {number}")
        (layout.files(ONE) / "docs" / f"{number}").mkdir()
        (layout.files(ONE) / "docs" / f"{number}" / "x.txt").write_text("x")
        made.append((await vault.archive_directory(ONE, f"files/docs/{number}", 1_000_000, 100)).name)
        os.utime(layout.archives(ONE) / made[-1], ns=(number * 10**9, number * 10**9))
    assert sorted(path.name for path in layout.archives(ONE).iterdir()) == sorted(made[-3:])
