"""`!getfile` and `!archive` answer a loop of links with a refusal, never the generic apology (issue 14, 7)."""

from pathlib import Path

from support.app import AppHarness, build_app


async def test_loops_of_links_get_a_refusal_that_says_why(disk_app: AppHarness, tmp_path: Path) -> None:
    files = tmp_path / "data" / "spaces" / "guild-1" / "files"
    files.mkdir(parents=True)
    (files / "loop").symlink_to("loop")
    (files / "a").symlink_to("b")
    (files / "b").symlink_to("a")
    for command in ("!getfile loop", "!getfile a", "!archive files/loop", "!archive files/b/c"):
        message = await disk_app.discord.say(command)
        text = disk_app.discord.replies_to(message)[0].text
        assert text.startswith("I can't use the path") and "loop of symbolic links" in text, command


async def test_archives_are_kept_to_the_configured_number(tmp_path: Path) -> None:
    app = build_app(tmp_path / "data", in_memory=False, limits={"archives_kept": 2})
    space = tmp_path / "data" / "spaces" / "guild-1"
    for name in ("one", "two", "three"):
        (space / "files" / name).mkdir(parents=True)
        (space / "files" / name / "a.txt").write_text(name)
        message = await app.discord.say(f"!archive files/{name}")
        assert app.discord.replies_to(message)[0].file is not None
    kept = sorted(path.name.split("-")[1] for path in (space / "archives").iterdir())
    assert len(kept) == 2 and "three" in kept
