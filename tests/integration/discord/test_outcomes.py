"""Outcomes reach the user when messages are deleted under the bot's feet (issue 14, defects 5 and 10)."""

import asyncio
import logging
from pathlib import Path

import pytest
import structlog

from cli import settle, shutdown
from domain.ids import GuildId
from domain.spaces import Space
from support import fakes
from support.discord_harness import build_app_bot, started
from support.fake_discord import ADD_REACTION, EDIT_MESSAGE, SEND_MESSAGE, FakeDiscord

FAQ = "hello => Hello to you too\nhi => Hello to you too\nbye => Bye.\nciao => Bye."


async def test_a_deleted_progress_message_still_gets_the_outcome_and_the_bookkeeping(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    bot, container = build_app_bot(
        fake, tmp_path, model=fakes.FakeModelBackend(name="embedded", delay=1.0), privileged_roles=("Trainer",)
    )
    async with started(bot, fake):
        trained = await fake.send_message(fake.world.trainer, f"!train {FAQ}")
        progress = await fake.reply_to(trained)
        assert progress.content.startswith("Training `train-1` started")
        (shown,) = fake.stored_replies(trained)
        await fake.delete_message(int(shown["id"]))
        outcome = await fake.reply_to(trained, since=fake.calls.index(progress) + 1, timeout=10)
        await settle(container)
        await shutdown(container)
    assert outcome.content.startswith("Training `train-1` done: model version 1")
    edits = fake.calls_to(EDIT_MESSAGE)
    assert edits and all(call.status == 404 for call in edits)  # the final edit failed; the outcome came anew
    marks = [call.path.split("/")[-2] for call in fake.calls_to(ADD_REACTION) if f"/{trained['id']}/" in call.path]
    assert marks[-1] == "✅"
    settings = await container.storage.space_settings().load(Space(GuildId(fake.world.guild_id)))
    assert settings.active_model == 1
    assert settings.active_dataset == "inline.txt"  # what was trained on is selected, as when the edit works


async def test_a_voice_message_deleted_while_heard_gets_no_transcript(
    fake: FakeDiscord, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    stt = fakes.FakeSpeechToText()
    stt.delay = 1.0
    bot, container = build_app_bot(fake, tmp_path, stt=stt)
    with structlog.testing.capture_logs() as logs:
        async with started(bot, fake):
            note = fake.add_attachment("voice-message.ogg", b"speech:what time is it", "audio/ogg", voice=True)
            message = await fake.send_message(fake.world.alice, "", attachments=[note], voice_message=True)
            await fake.wait_for(lambda call: call.route == ADD_REACTION and f"/{message['id']}/" in call.path)
            await fake.delete_message(int(message["id"]))
            await asyncio.sleep(1.5)  # the recogniser finishes meanwhile
            await settle(container)
            await shutdown(container)
    assert stt.languages  # it was being heard when deleted
    assert not [call for call in fake.calls_to(SEND_MESSAGE) if call.reply_to == int(message["id"])]
    assert not [call for call in fake.calls_to(SEND_MESSAGE) if "what time is it" in call.content]
    assert any(entry["event"] == "the message was deleted; its transcript is dropped" for entry in logs)
