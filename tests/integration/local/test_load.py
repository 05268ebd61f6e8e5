"""Many users at once through the fake-Discord driver: nothing lost, nothing twice, quick replies in channel order."""

import asyncio
import random
from collections import defaultdict
from pathlib import Path

from domain.messages import Message
from support.app import build_app
from support.scripted_discord import member

FAQ = "hi => Hello!\nhey => Hello!\nbye => Bye!\nciao => Bye!\nhours => Nine to five.\nopen => Nine to five."


async def test_a_thousand_messages_from_fifty_users_in_ten_channels(tmp_path: Path) -> None:
    # Voice messages no longer wait for their channel, so all 20 reach the hearing queue at once: it holds them.
    disk_app = build_app(tmp_path / "data", in_memory=False, limits={"heavy_jobs_waiting": 20})
    await disk_app.discord.say(f"!train {FAQ}")
    await disk_app.settle()
    disk_app.discord.sent.clear()
    rng = random.Random(7)
    users = [member(user_id=100 + i, name=f"user{i}", admin=False) for i in range(50)]
    messages: list[Message] = []
    voice_ids: set[int] = set()
    voice_slots = set(rng.sample(range(1000), 20))
    for n in range(1000):
        channel = 100 + n % 10
        author = rng.choice(users)
        if n in voice_slots:
            clip = disk_app.discord.attachment(f"voice-{n}.ogg", b"speech:hours", "audio/ogg", voice_message=True)
            message = disk_app.discord.message("", author=author, channel_id=channel, attachments=(clip,))
            voice_ids.add(message.id)
        else:
            message = disk_app.discord.message(
                rng.choice(["hi", "bye", "hours", "what?"]), author=author, channel_id=channel
            )
        messages.append(message)
    await asyncio.gather(*(disk_app.discord.post(m) for m in messages))
    await disk_app.settle()

    replies: dict[int, list[str]] = defaultdict(list)
    for sent in disk_app.discord.sent:
        assert sent.reply_to is not None
        replies[sent.reply_to].append(sent.text)
    for message in messages:
        expected = 2 if message.id in voice_ids else 1
        assert len(replies[message.id]) == expected, (message.id, replies[message.id])
    assert len(disk_app.discord.sent) == 1000 + 20

    by_channel: dict[int, list[int]] = defaultdict(list)
    for sent in disk_app.discord.sent:
        if not by_channel[sent.channel_id] or by_channel[sent.channel_id][-1] != sent.reply_to:
            by_channel[sent.channel_id].append(sent.reply_to)  # type: ignore[arg-type]
    # Quick messages are answered in their channel's order. A voice message never holds its channel: its
    # replies quote it (asserted above) and come in the order its hearing finishes.
    for channel in range(100, 110):
        quick = [reply_to for reply_to in by_channel[channel] if reply_to not in voice_ids]
        assert quick == [m.id for m in messages if m.channel_id == channel and m.id not in voice_ids]


async def test_heavy_work_past_the_queue_is_refused_with_a_busy_reply(tmp_path: Path) -> None:
    app = build_app(tmp_path, limits={"heavy_jobs_running": 1, "heavy_jobs_waiting": 1})
    app.stt.delay = 0.2
    clips = [app.discord.attachment(f"v{i}.ogg", b"speech:hello", "audio/ogg") for i in range(4)]
    messages = [app.discord.message("", attachments=(clip,), channel_id=200 + i) for i, clip in enumerate(clips)]
    await asyncio.gather(*(app.discord.post(m) for m in messages))
    answers = [app.discord.replies_to(m)[0].text for m in messages]
    assert answers.count("🎙️ I heard: hello") == 2
    assert answers.count("I am busy with other requests right now; please try again shortly.") == 2
    assert app.container.work.gate().admitted == 0
