"""Slash commands, their registration on request, permission gates, cooldowns and friendly errors."""

from adapters.discord import ParrotBot
from adapters.discord.cogs.menus import TRANSCRIBE
from domain import commands as c
from domain.catalogue import BY_NAME
from support.discord_harness import RecordingSink, running_bot
from support.fake_discord import FOLLOWUP, SEND_MESSAGE, FakeDiscord
from support.fake_discord.server import INTERACTION_CALLBACK

REGISTER_GLOBAL = "PUT /applications/{application_id}/commands"


async def test_a_slash_command_defers_then_answers_through_the_interaction(
    fake: FakeDiscord, bot: ParrotBot, sink: RecordingSink
) -> None:
    async def answer(command: c.Command) -> None:
        await bot.chat.send_text(command.message.channel_id, "Hi there!", reply_to=command.message.id)

    sink.scripts[c.UseModel] = answer
    interaction = await fake.invoke_slash(fake.world.admin, "model", {"action": "use 3"})
    command = await sink.next_of(c.UseModel)
    assert command.version == "3"
    assert command.message.id == int(interaction["id"])
    assert command.message.content == "!model use 3"
    followup = await fake.wait_for(lambda call: call.route == FOLLOWUP)
    assert followup.content == "Hi there!"
    assert followup.body["allowed_mentions"] == {"parse": []}
    [deferral] = fake.calls_to(INTERACTION_CALLBACK)
    assert deferral.body["type"] == 5  # "thinking...", answered by the follow-up
    assert fake.calls_to(SEND_MESSAGE) == []


async def test_a_slash_command_with_an_attachment(fake: FakeDiscord, bot: ParrotBot, sink: RecordingSink) -> None:
    attachment = fake.add_attachment("data.csv", b"q,a\nhi,hello\n", "text/csv")
    await fake.invoke_slash(fake.world.admin, "train", attachment=attachment)
    command = await sink.next_of(c.TrainModel)
    assert command.attachment is not None
    assert await bot.attachments.fetch(command.attachment, 1000) == b"q,a\nhi,hello\n"


async def test_slash_commands_are_registered_only_when_the_owner_asks(
    fake: FakeDiscord, bot: ParrotBot, sink: RecordingSink
) -> None:
    assert fake.calls_to(REGISTER_GLOBAL) == []  # not on start
    refused = await fake.send_message(fake.world.admin, "!sync")
    assert (await fake.reply_to(refused)).content == "Only the bot's owner can do that."
    message = await fake.send_message(fake.world.owner, "!sync")
    assert (await fake.reply_to(message)).content == f"Synced {len(BY_NAME) + 1} slash commands globally."
    registered = {command["name"]: command for command in fake.registered_commands["global"]}
    menu = registered.pop(TRANSCRIBE)
    assert menu["type"] == 3  # an entry of the message menu
    assert set(registered) == set(BY_NAME)
    for name, spec in BY_NAME.items():
        assert registered[name]["description"] and "`" not in registered[name]["description"], name
        permissions = registered[name].get("default_member_permissions")
        expected = 1 << 5 if spec.privileged else None  # Manage Server
        assert (None if permissions is None else int(permissions)) == expected, name
    # The slash menu shows plain text: a command a summary names is written as the menu's own, with a slash.
    assert registered["select_dataset"]["description"].startswith("Choose the dataset /train uses")
    assert sink.commands == []


async def test_privileged_commands_are_refused_to_members_without_the_right(
    fake: FakeDiscord, bot: ParrotBot, sink: RecordingSink
) -> None:
    message = await fake.send_message(fake.world.alice, "!getfile secrets.txt")
    reply = await fake.reply_to(message)
    assert reply.content.startswith("`!getfile` needs the Manage Server permission")
    interaction = await fake.invoke_slash(fake.world.alice, "archive", {"directory": "logs"})
    callback = await fake.wait_for(lambda call: call.route == INTERACTION_CALLBACK)
    assert callback.path.split("/")[-3] == interaction["id"]
    assert callback.body["data"]["content"].startswith("`!archive` needs")
    assert callback.body["data"]["flags"] & 64  # ephemeral: only the member sees the refusal
    # A configured role, the owner, and Manage Server all pass.
    for user in (fake.world.trainer, fake.world.owner, fake.world.admin):
        await fake.send_message(user, "!getfile data.txt")
    assert [type(command) for command in await sink.wait_for(3)] == [c.GetFile] * 3


async def test_expensive_commands_cool_down_per_user_but_not_for_the_owner(
    fake: FakeDiscord, sink: RecordingSink
) -> None:
    async with running_bot(fake, sink, expensive_cooldown_seconds=60.0):
        await fake.send_message(fake.world.admin, "!train status")
        second = await fake.send_message(fake.world.admin, "!train status")
        reply = await fake.reply_to(second)
        assert "cooling down" in reply.content
        await fake.send_message(fake.world.owner, "!test a => b")
        await fake.send_message(fake.world.owner, "!test a => b")
        kinds = [type(command) for command in await sink.wait_for(3)]
        assert kinds == [c.ShowTrainingStatus, c.TestModel, c.TestModel]


async def test_a_missing_argument_gets_the_usage(fake: FakeDiscord, bot: ParrotBot, sink: RecordingSink) -> None:
    message = await fake.send_message(fake.world.admin, "!getfile")
    reply = await fake.reply_to(message)
    assert reply.content == "Something is missing. Usage: `!getfile PATH`"
    assert reply.body["allowed_mentions"] == {"parse": []}
    assert sink.commands == []
