"""Load through the real discord.py client and the socket-level fake: nothing lost or twice, quick replies in order."""

import asyncio
import random
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cli import settle, shutdown
from support.discord_harness import build_app_bot, started
from support.fake_discord import SEND_MESSAGE, FakeDiscord
from support.fake_discord.server import Call

FAQ = "hi => Hello!\nhey => Hello!\nbye => Bye!\nciao => Bye!\nhours => Nine to five.\nopen => Nine to five."


@pytest.fixture
async def crowded() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(echo_own_messages=False) as server:
        server.world.populate(members=50, text_channels=10)
        yield server


async def test_a_thousand_messages_from_fifty_members_in_ten_channels(crowded: FakeDiscord, tmp_path: Path) -> None:
    fake = crowded
    bot, container = build_app_bot(fake, tmp_path)
    async with started(bot, fake):
        trained = await fake.send_message(fake.world.admin, f"!train {FAQ}")
        assert (await fake.reply_to(trained)).content.startswith("Training `train-1` started on 6 examples")
        await settle(container)
        mark = len(fake.calls)
        rng = random.Random(3)
        voice_slots = set(rng.sample(range(1000), 20))
        sent: list[tuple[int, int, bool]] = []  # message id, channel id, is voice
        for n in range(1000):
            room = fake.world.rooms[n % 10]
            author = rng.choice(fake.world.crowd)
            if n in voice_slots:
                note = fake.add_attachment(
                    "voice-message.ogg", b"speech:hours", "audio/ogg", channel_id=room.id, voice=True
                )
                message = await fake.send_message(
                    author, "", channel_id=room.id, attachments=[note], voice_message=True
                )
            else:
                message = await fake.send_message(
                    author, rng.choice(["hi", "bye", "hours", "what?"]), channel_id=room.id
                )
            sent.append((int(message["id"]), room.id, n in voice_slots))

        def replies() -> list[Call]:
            return [call for call in fake.calls[mark:] if call.route == SEND_MESSAGE and call.reply_to is not None]

        async with asyncio.timeout(60):
            while len(replies()) < 1020:
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)  # anything answered twice would arrive now
        await settle(container)
        await shutdown(container)

    answered: dict[int, int] = defaultdict(int)
    order: dict[int, list[int]] = defaultdict(list)
    for call in replies():
        assert call.reply_to is not None
        answered[call.reply_to] += 1
        channel = int(call.path.split("/channels/")[1].split("/")[0])
        if not order[channel] or order[channel][-1] != call.reply_to:
            order[channel].append(call.reply_to)
    for message_id, _, voice in sent:
        assert answered[message_id] == (2 if voice else 1), message_id
    texts = [call.content for call in replies()]
    assert texts.count("🎙️ I heard: hours") == 20 and "Hello!" in texts and "Bye!" in texts
    assert len(replies()) == 1020
    # Quick messages are answered in their channel's order; a voice message never holds its channel, and its
    # replies (which quote it) come when its hearing finishes.
    voice_ids = {message_id for message_id, _, voice in sent if voice}
    for room in fake.world.rooms:
        quick = [message_id for message_id in order[room.id] if message_id not in voice_ids]
        assert quick == [message_id for message_id, channel, voice in sent if channel == room.id and not voice]
