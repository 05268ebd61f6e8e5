"""Every user path stays inside its root."""

import os
from pathlib import Path

import pytest

from adapters.storage.sandbox import clean_relative, existing_file_inside, resolve_inside, safe_file_name
from domain.errors import NotFound, PathOutsideRoot


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("../../etc/passwd", "`..` is not allowed"),
        ("notes/../../x", "`..` is not allowed"),
        ("/etc/passwd", "absolute paths are not allowed"),
        ("C:\\Windows\\win.ini", "absolute paths are not allowed"),
        ("\\\\server\\share", "absolute paths are not allowed"),
        ("..\\..\\secret", "`..` is not allowed"),
        ("%2e%2e/secret", "URL-encoded characters"),
        ("．．/secret", "look-alike characters"),
        ("a\x00b", "control characters"),
        ("", "it is empty"),
        ("a/" + "x" * 300, "a name in it is too long"),
        ("x/" * 300, "longer than 512 characters"),
        ("./.", "it names no file"),
    ],
)
def test_refused_paths_say_why(given: str, reason: str) -> None:
    with pytest.raises(PathOutsideRoot) as refused:
        clean_relative(given)
    assert reason in refused.value.user_message


def test_plain_relative_paths_are_kept() -> None:
    assert clean_relative("notes/2026/a.txt") == ("notes", "2026", "a.txt")
    assert clean_relative("./notes//a.txt") == ("notes", "a.txt")


def test_a_symbolic_link_out_of_the_root_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    (root / "link").symlink_to(outside)
    (root / "file-link").symlink_to(outside / "secret.txt")
    for given in ("link/secret.txt", "file-link"):
        with pytest.raises(PathOutsideRoot, match="through a link"):
            resolve_inside(root, given)


def test_a_link_that_stays_inside_is_followed(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("ok")
    (tmp_path / "alias.txt").symlink_to(tmp_path / "real.txt")
    assert existing_file_inside(tmp_path, "alias.txt") == (tmp_path / "real.txt").resolve()


def test_a_hard_link_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    os.link(tmp_path / "secret.txt", root / "innocent.txt")
    with pytest.raises(PathOutsideRoot, match="hard link"):
        existing_file_inside(root, "innocent.txt")


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match=r"There is no file `nope\.txt` here\."):
        existing_file_inside(tmp_path, "nope.txt")


@pytest.mark.parametrize(
    ("name", "safe"),
    [("../../evil.csv", "evil.csv"), ("C:\\x\\data.csv", "data.csv"), ("a b$c.txt", "a b_c.txt"), ("..", "upload")],
)
def test_uploaded_file_names_become_plain_names(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe
