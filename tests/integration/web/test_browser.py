"""The review page in a real browser: Debian's headless Chromium, driven by Playwright, beside the local chat.

Screenshots go to `out/screenshots/` (ignored by git); the README's two pictures are copies of two of them.
"""

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Browser, FilePayload, Page, async_playwright, expect

from adapters.web.sessions import Identity
from support.shared_data import PROJECT_ROOT
from support.web_harness import LocalWeb, start_local_web

CHROMIUM = "/usr/bin/chromium"  # Debian's package (see README); Playwright's own download is never used
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = PROJECT_ROOT / "out" / "screenshots"

FIRST = (
    "hello => Hi!\\nhi there => Hi!\\nbye => See you!\\ngoodbye => See you!\\n"
    "when do you open => We open at nine.\\nopening hours => We open at nine."
)
SECOND = FIRST + "\\nopening times please => We open at nine.\\nsee you later => See you!\\ngood morning => Hi!"
TEST = "hello there => Hi!\\nbye now => See you!\\nopening times => We open at nine.\\nhi => Hi!"
UNSURE = ("is the shop open on sunday", "is the shop open on sundays", "can I bring my dog", "do you sell gift cards")


async def shot(page: Page, name: str, height: int | None = None) -> Path:
    """A small, optimised PNG of what the page shows now (its top `height` pixels, else all of it)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    clip = {"x": 0, "y": 0, "width": page.viewport_size["width"] if page.viewport_size else 800, "height": height}
    picture = await page.screenshot(full_page=True, clip=clip if height else None)  # type: ignore[arg-type]
    image = Image.open(io.BytesIO(picture)).convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    target = SHOTS / f"{name}.png"
    image.save(target, optimize=True)
    return target


@pytest.fixture
async def local(tmp_path: Path) -> AsyncIterator[LocalWeb]:
    app = await start_local_web(tmp_path / "data", train_delay=1.5)
    try:
        yield app
    finally:
        await app.close()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not Path(CHROMIUM).is_file():
        pytest.fail("the browser tests need Debian's Chromium: apt-get install chromium (see README)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield launched
        finally:
            await launched.close()


async def prepare(local: LocalWeb) -> None:
    """What a server's chat would have done: two trained and tested versions, and messages Parrot was unsure of."""
    local.backend.delay = 0
    for data in (FIRST, SECOND):
        assert any("done: model version" in line for line in await local.say(f"!train {data}"))
        assert any("Accuracy" in line for line in await local.say(f"!test {TEST}"))
    for text in UNSURE:
        assert any("not sure" in line for line in await local.say(text))
    local.backend.delay = 1.5


async def test_review_a_group_train_and_read_the_models_in_a_browser(local: LocalWeb, browser: Browser) -> None:
    await prepare(local)
    link = local.server.login_line(Identity(1, "admin", None), stream=io.StringIO()).removeprefix("Dashboard: ")
    page = await browser.new_page(viewport={"width": 800, "height": 900})

    # One-time link: the session opens, the only server is shown directly.
    await page.goto(link)
    await expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    await expect(page.locator("dl.facts")).to_contain_text("version 2 (embedded)")
    await page.keyboard.press("Tab")
    await expect(page.locator(".skip")).to_be_focused()  # keyboard users can skip to the content
    await shot(page, "overview")

    # The inbox: the two Sunday questions are one group; answer it once.
    await page.get_by_role("link", name="Inbox").click()
    group = page.locator("li.group").filter(has_text="is the shop open on sunday")
    await expect(group).to_have_count(1)
    await expect(group.locator(".similar")).to_have_text("1 similar")
    await expect(group.locator(".reply code")).to_have_text("!correct <the answer>")
    await shot(page, "inbox", height=1000)
    await group.get_by_label("Answer").fill("We are closed on Sundays.")
    await group.get_by_role("button", name="Teach this answer").click()
    await expect(page.locator(".flash.ok")).to_contain_text("Thanks, noted")
    await expect(page.locator("li.group").filter(has_text="is the shop open on sunday")).to_have_count(0)

    # The local chat answers with the correction at once.
    assert await local.say("Is the shop open on Sunday?") == ["We are closed on Sundays."]

    # Ignore another group: it leaves the waiting list and stays under "ignored".
    dog = page.locator("li.group").filter(has_text="can I bring my dog")
    await dog.get_by_role("button", name="Ignore").click()
    await expect(page.locator(".flash.ok")).to_contain_text("Ignored 1 message")

    # Data: upload a dataset, checked as `!train` checks it, and select it for training.
    await page.get_by_role("link", name="Data").click()
    dataset = SECOND.replace("\\n", "\n").encode()
    upload: FilePayload = {"name": "faq.txt", "mimeType": "text/plain", "buffer": dataset}
    await page.get_by_label("Dataset file").set_input_files(files=[upload])
    await page.get_by_role("button", name="Upload").click()
    await expect(page.locator(".flash.ok")).to_contain_text("Kept faq.txt: 9 examples, 3 intents.")
    await expect(page.locator(".flash.ok code").first).to_have_text("faq.txt")  # code, not backticks
    await page.locator("tr").filter(has_text="faq.txt").get_by_role("button", name="Select").click()
    await expect(page.locator("tr").filter(has_text="faq.txt")).to_contain_text("selected")

    # Models: start training, watch the progress, then the new version appears.
    await page.get_by_role("link", name="Models").click()
    await page.get_by_role("button", name="Train on the selected dataset").click()
    running = page.locator("section.job[data-running]")
    await expect(running).to_be_visible()
    await expect(running.locator(".stage")).to_contain_text("fitting", timeout=10_000)
    await shot(page, "training")
    await expect(page.get_by_role("heading", name="Version 3")).to_be_visible(timeout=20_000)

    # The models page with its pictures: the accuracy chart and each tested version's confusion matrix.
    await expect(page.locator("svg.chart")).to_be_visible()
    pictures = page.locator("img[alt^='Confusion matrix of version']")
    await expect(pictures).to_have_count(2)
    for index in range(2):
        loaded = await pictures.nth(index).evaluate("img => img.complete && img.naturalWidth > 0")
        assert loaded
    await shot(page, "models", height=1500)

    # Settings: the chat's settings, changed as `!settings` changes them; a refusal shows its reason.
    await page.get_by_role("link", name="Settings").click()
    await page.get_by_label("Speak replies in the voice channel").select_option("off")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator(".flash.ok")).to_contain_text("I stay silent in voice channels.")
    assert any("voice **off**" in line or "voice off" in line for line in await local.say("!settings"))
    await page.get_by_label("Languages heard").fill("klingon")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator(".flash.error")).to_contain_text("is not a language I can hear")
    await shot(page, "settings")

    # Readable on a phone: nothing wider than the screen.
    phone = await browser.new_page(viewport={"width": 375, "height": 740})
    cookies = await page.context.cookies()
    await phone.context.add_cookies(cookies)  # type: ignore[arg-type]
    await phone.goto(page.url.replace("/models", "/inbox"))
    width = await phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    await shot(phone, "inbox-phone")
