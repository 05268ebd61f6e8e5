"""A 👎 on a reply, through the socket-level fake Discord: kept in the feedback log, shown in the review inbox,
and deleted by the rater's `forget me`. Other reactions, and reactions on other messages, do nothing."""

import asyncio
from collections.abc import Callable

from adapters.discord import ParrotBot
from application.review.activity import PENDING, THUMBS_DOWN, ActivityLog
from bootstrap import Container
from cli import settle
from domain.ids import GuildId, UserId
from domain.spaces import Space
from support.fake_discord import SEND_MESSAGE, FakeDiscord
from support.fakes import InMemoryFeedbackLog

TRAINING = "!train hello there => Hi!\nhello friend => Hi!\nbye now => Bye.\nbye friend => Bye."


async def eventually(condition: Callable[[], object], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_a_thumbs_down_on_a_reply_reaches_the_inbox_and_forget_me_removes_it(
    fake: FakeDiscord, app: tuple[ParrotBot, Container]
) -> None:
    container = app[1]
    space = Space(guild_id=GuildId(fake.world.guild_id))
    log = container.storage.feedback_log()
    activity = container.review.activity()
    assert isinstance(log, InMemoryFeedbackLog) and isinstance(activity, ActivityLog)
    await fake.reply_to(await fake.send_message(fake.world.admin, TRAINING))
    await settle(container)
    question = await fake.send_message(fake.world.alice, "hello there")
    assert (await fake.reply_to(question)).content == "Hi!"
    [reply] = fake.stored_replies(question)
    sent = len(fake.calls_to(SEND_MESSAGE))
    # Not a 👎, not on Parrot's message, not by a member: nothing is recorded.
    await fake.react(fake.world.trainer, reply, "\N{THUMBS UP SIGN}")
    await fake.react(fake.world.trainer, question)
    await fake.react(fake.world.other_bot, reply)
    await fake.react(fake.world.trainer, reply, "\N{THUMBS DOWN SIGN}\N{EMOJI MODIFIER FITZPATRICK TYPE-4}")
    await eventually(lambda: log.thumbs_down.get(space))
    [rating] = log.thumbs_down[space]
    assert (rating.user_text, rating.bot_reply, rating.intent) == ("hello there", "Hi!", "hi")
    assert (rating.author_id, rating.asker_id) == (UserId(fake.world.trainer.id), UserId(fake.world.alice.id))
    assert rating.reply_message_id == int(reply["id"]) and rating.channel_id == int(reply["channel_id"])
    [item] = await activity.items(space)
    assert (item.text, item.reason, item.state, str(item.reply)) == ("hello there", THUMBS_DOWN, PENDING, "Hi!")
    assert (item.rater_id, item.author_id) == (UserId(fake.world.trainer.id), UserId(fake.world.alice.id))
    # A reaction is a quiet gesture: Parrot sends nothing in answer to any of them.
    assert len(fake.calls_to(SEND_MESSAGE)) == sent

    forget = await fake.send_message(fake.world.trainer, "!forget me")
    done = await fake.reply_to(forget)
    assert "Also deleted: 1 thumbs-down." in done.content
    assert log.thumbs_down[space] == [] and await activity.items(space) == []
