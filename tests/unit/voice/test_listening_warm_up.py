"""`!listen on` readies the recogniser and the space's voices in the background: answered at once, never broken."""

import asyncio
from pathlib import Path

from structlog.testing import capture_logs

from application.ports.work import WarmUpJob
from support.app import AppHarness, build_app

VOICE = 55


def held(app: AppHarness) -> asyncio.Event:
    """Make the recogniser's warm-up wait until the returned event is set."""
    release = asyncio.Event()
    warm_up = app.stt.warm_up

    async def slow_warm_up() -> None:
        await release.wait()
        await warm_up()

    app.stt.warm_up = slow_warm_up  # type: ignore[method-assign]
    return release


def warm_ups(app: AppHarness) -> list[WarmUpJob]:
    assert app.work is not None
    return [job for job in app.work.jobs if isinstance(job, WarmUpJob)]


async def asked(app: AppHarness) -> None:
    """Until the background warm-up has reached the work port."""
    async with asyncio.timeout(5):
        while not warm_ups(app):
            await asyncio.sleep(0.01)


async def test_listen_on_asks_for_the_warm_up_and_answers_without_waiting_for_it(tmp_path: Path) -> None:
    app = build_app(tmp_path, fake_work=True)
    release = held(app)
    on = await app.discord.say("!listen on", voice_channel_id=VOICE)
    assert app.discord.replies_to(on)[0].text.startswith("🎙️ I'm listening in")
    await asked(app)
    assert len(warm_ups(app)) == 1
    assert (app.stt.warmed, app.tts.warmed) == (0, 0)  # still warming, and the reply is out
    release.set()
    await app.settle()
    assert (app.stt.warmed, app.tts.warmed) == (1, 1)


async def test_the_warm_up_readies_the_voices_of_the_spaces_languages(tmp_path: Path) -> None:
    app = build_app(tmp_path, fake_work=True, speech={"languages": ["en", "ru"]})
    await app.discord.say("!listen on", voice_channel_id=VOICE)
    await app.settle()
    (job,) = warm_ups(app)
    assert job.languages == ("en-US", "ru")
    await app.discord.say("!settings languages ru")
    await app.discord.say("!listen on", voice_channel_id=VOICE)
    await app.settle()
    assert warm_ups(app)[-1].languages == ("ru",)


async def test_listen_on_again_while_warming_asks_only_once(tmp_path: Path) -> None:
    app = build_app(tmp_path, fake_work=True)
    release = held(app)
    await app.discord.say("!listen on", voice_channel_id=VOICE)
    await asked(app)
    await app.discord.say("!listen on", voice_channel_id=VOICE)
    await asyncio.sleep(0.05)
    assert len(warm_ups(app)) == 1
    release.set()
    await app.settle()


async def test_a_failed_warm_up_is_logged_and_listening_goes_on(tmp_path: Path) -> None:
    app = build_app(tmp_path, fake_work=True)
    assert app.work is not None
    app.work.down = True
    with capture_logs() as logs:
        on = await app.discord.say("!listen on", voice_channel_id=VOICE)
        await app.settle()
    assert app.discord.replies_to(on)[0].text.startswith("🎙️ I'm listening in")
    assert app.listening.channels == {1: (VOICE, 10)}
    assert [entry["reason"] for entry in logs if entry["event"] == "speech warm-up failed"] == ["WorkUnavailable"]
