"""Rejected or test data never becomes training data, and no upload replaces another dataset (issue 14, 3)."""

from pathlib import Path

from support.app import AppHarness

FAQ = (
    b"when do you open => We open at nine.\nopening hours => We open at nine.\n"
    b"where are you => Main Street 1.\nyour address => Main Street 1.\n"
)
OTHER = b"hi => Hello!\nhey => Hello!\nbye => Bye!\nciao => Bye!\n"
REJECTED = {
    "duplicate texts": b"hi => Hello!\nhey => Hello!\nhi => Bye!\nciao => Bye!\n",
    "one example": b"hi => Hello!\nhey => Hello!\nbye => Bye!\n",
    "one intent": b"hi => Hello!\nhey => Hello!\n",
}


def datasets(root: Path) -> dict[str, bytes]:
    folder = root / "spaces" / "guild-1" / "datasets"
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())} if folder.is_dir() else {}


async def train_with(app: AppHarness, name: str, data: bytes) -> str:
    message = await app.discord.say("!train", attachments=(app.discord.attachment(name, data, "text/plain"),))
    await app.settle()
    reply = app.discord.replies_to(message)[0]
    return f"{reply.text}\n{reply.current_text}"  # as it started, then as it ended


async def answer(app: AppHarness, text: str) -> str:
    return app.discord.replies_to(await app.discord.say(text))[0].text


async def test_a_rejected_file_is_never_kept_nor_replaces_the_selected_one(
    disk_app: AppHarness, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    assert "done" in await train_with(disk_app, "faq.txt", FAQ)
    for rule, data in REJECTED.items():
        text = await train_with(disk_app, "faq.txt", data)
        assert "was not used for training" in text, rule
        text = await train_with(disk_app, f"new-{rule.replace(' ', '-')}.txt", data)
        assert "was not used for training" in text, rule
        assert datasets(root) == {"faq.txt": FAQ}, rule
    plain = await disk_app.discord.say("!train")
    await disk_app.settle()
    assert disk_app.discord.replies_to(plain)[0].current_text.startswith("Training `train-")
    assert disk_app.backend.trained[-1].examples == disk_app.backend.trained[0].examples
    assert await answer(disk_app, "opening hours") == "We open at nine."


async def test_test_data_never_lands_among_the_training_datasets(disk_app: AppHarness, tmp_path: Path) -> None:
    root = tmp_path / "data"
    await train_with(disk_app, "faq.txt", FAQ)
    test_data = b"when do you open => Bye!\nopening hours => Bye!\n"
    message = await disk_app.discord.say(
        "!test", attachments=(disk_app.discord.attachment("faq.txt", test_data, "text/plain"),)
    )
    await disk_app.settle()
    assert "done" in disk_app.discord.replies_to(message)[0].current_text
    await disk_app.discord.say("!test opening hours => We open at nine.\nwhere are you => Main Street 1.")
    await disk_app.settle()
    assert datasets(root) == {"faq.txt": FAQ}
    await disk_app.discord.say("!train")
    await disk_app.settle()
    assert disk_app.backend.trained[-1].examples == disk_app.backend.trained[0].examples


async def test_a_name_collision_keeps_both_versions_and_says_which_name(disk_app: AppHarness, tmp_path: Path) -> None:
    root = tmp_path / "data"
    assert "The data is kept as `faq.txt`." in await train_with(disk_app, "faq.txt", FAQ)
    assert "The data is kept as `faq-2.txt`." in await train_with(disk_app, "faq.txt", OTHER)
    assert datasets(root) == {"faq.txt": FAQ, "faq-2.txt": OTHER}
    listing = await disk_app.discord.say("!select_dataset")
    assert "- `faq-2.txt` (" in disk_app.discord.replies_to(listing)[0].text
    assert "**(selected)**" in disk_app.discord.replies_to(listing)[0].text.split("faq-2.txt")[1].split("\n")[0]
    # The same data again is kept once, under the name it already has.
    assert "The data is kept as `faq.txt`." in await train_with(disk_app, "faq.txt", FAQ)
    assert datasets(root) == {"faq.txt": FAQ, "faq-2.txt": OTHER}
    assert await answer(disk_app, "opening hours") == "We open at nine."
