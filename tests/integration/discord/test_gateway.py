"""Gateway drops: the bot resumes (or identifies again) and no command is lost."""

import asyncio

from adapters.discord import ParrotBot
from domain import commands as c
from support.discord_harness import RecordingSink
from support.fake_discord import FakeDiscord


async def test_a_dropped_gateway_is_resumed_and_nothing_is_lost(
    fake: FakeDiscord, bot: ParrotBot, sink: RecordingSink
) -> None:
    release = asyncio.Event()

    async def think(command: c.Command) -> None:  # a command still in flight when the gateway drops
        await release.wait()
        await bot.chat.send_text(command.message.channel_id, "Done thinking.", reply_to=command.message.id)

    sink.scripts[c.ReplyToMessage] = think
    question = await fake.send_message(fake.world.alice, "think about this")
    await sink.wait_for(1)
    await fake.gateway.drop(code=4000)
    during = await fake.send_message(fake.world.alice, "!hi")  # kept for the bot's RESUME
    release.set()
    assert (await fake.reply_to(question)).content == "Done thinking."
    await asyncio.wait_for(fake.gateway.resumed.wait(), 5)
    greet = await sink.next_of(c.Greet)
    assert greet.message.id == int(during["id"])
    assert (len(fake.gateway.identifies), len(fake.gateway.resumes)) == (1, 1)


async def test_a_refused_resume_identifies_again(fake: FakeDiscord, bot: ParrotBot, sink: RecordingSink) -> None:
    fake.gateway.refuse_resume = True
    fake.gateway.ready.clear()
    await fake.gateway.drop(code=4000)
    # discord.py waits 5 s before identifying again (Discord's identify rate limit).
    await asyncio.wait_for(fake.gateway.ready.wait(), 10)
    await fake.send_message(fake.world.alice, "!hi")
    assert isinstance(await sink.next_of(c.Greet), c.Greet)
    assert (len(fake.gateway.identifies), len(fake.gateway.resumes)) == (2, 1)
