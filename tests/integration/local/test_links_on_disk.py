"""`!getfile` and `!archive` answer a loop of links with a refusal, never the generic apology (issue 14, 7)."""

from pathlib import Path

from tests.app import AppHarness


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
