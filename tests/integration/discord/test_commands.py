"""Every catalogued command, typed as a prefix command, reaches the bus as the right domain command."""

from dataclasses import dataclass, field
from typing import Any

import pytest

from adapters.discord import ParrotBot
from domain import commands as c
from domain.catalogue import BY_NAME
from domain.ids import ChannelId
from support.discord_harness import RecordingSink
from support.fake_discord import SEND_MESSAGE, FakeDiscord


@dataclass(frozen=True)
class Case:
    text: str
    expected: type[c.Command]
    fields: dict[str, Any] = field(default_factory=dict)
    author: str = "admin"  # may run privileged commands (Manage Server)


CASES = {
    "hi": [Case("!hi", c.Greet, author="alice"), Case("!HELLO", c.Greet, author="alice")],
    "help": [Case("!help", c.ShowHelp, {"topic": ""}), Case("!help train", c.ShowHelp, {"topic": "train"})],
    "join": [Case("!join", c.JoinVoice, author="alice")],
    "leave": [Case("!leave", c.LeaveVoice, author="alice")],
    "listen": [
        Case("!listen on", c.SetListening, {"on": True}),
        Case("!listen off", c.SetListening, {"on": False}),
        Case("!listen optout", c.SetListeningConsent, {"opted_out": True}, author="alice"),
        Case("!listen optin", c.SetListeningConsent, {"opted_out": False}, author="alice"),
    ],
    "train": [
        Case("!train status", c.ShowTrainingStatus),
        Case("!train hi => hello\nbye => goodbye", c.TrainModel, {"inline_text": "hi => hello\nbye => goodbye"}),
    ],
    "test": [Case("!test hi => hello", c.TestModel, {"inline_text": "hi => hello"})],
    "model": [Case("!model", c.ListModels), Case("!model use 3", c.UseModel, {"version": "3"})],
    "archive": [Case("!archive logs", c.ArchiveFiles, {"directory": "logs"})],
    "select_dataset": [Case("!select_dataset banking77", c.SelectDataset, {"name": "banking77"})],
    "instruction": [Case("!instruction", c.SendInstruction, author="alice")],
    "getfile": [Case("!getfile models/v1.json", c.GetFile, {"path": "models/v1.json"})],
    "correct": [Case("!correct It is Paris.", c.CorrectReply, {"correction": "It is Paris."}, author="alice")],
    "feedback": [
        Case("!feedback Lovely bot", c.SubmitFeedback, {"text": "Lovely bot"}, author="alice"),
        Case("!feedback list", c.ListFeedback),
    ],
    "settings": [
        Case("!settings", c.ChangeSettings, {"setting": "", "values": ()}),
        Case("!settings languages en ru", c.ChangeSettings, {"setting": "languages", "values": ("en", "ru")}),
    ],
    "privacy": [Case("!privacy", c.ShowPrivacy, author="alice")],
    "forget": [Case("!forget me", c.ForgetMe, {"target": "me"}, author="alice")],
}
ALL = [pytest.param(case, id=case.text.split("\n")[0]) for cases in CASES.values() for case in cases]
ALL += [
    pytest.param(Case("what is the capital of France?", c.ReplyToMessage, author="alice"), id="plain"),
    pytest.param(Case("!trian now", c.UnknownCommand, {"name": "trian"}, author="alice"), id="unknown"),
]


def test_every_catalogued_command_is_covered() -> None:
    assert set(CASES) == set(BY_NAME)


@pytest.mark.parametrize("case", ALL)
async def test_a_prefix_command_reaches_the_bus(
    fake: FakeDiscord, bot: ParrotBot, sink: RecordingSink, case: Case
) -> None:
    author = getattr(fake.world, case.author)
    await fake.send_message(author, case.text)
    [command] = await sink.wait_for(1)
    assert type(command) is case.expected
    for name, value in case.fields.items():
        assert getattr(command, name) == value
    message = command.message
    assert message.content == case.text
    assert message.author.id == author.id
    assert message.guild_id == fake.world.guild_id
    assert message.channel_id == fake.world.text_channel.id


async def test_the_domain_message_carries_roles_permissions_owner_and_voice_channel(
    fake: FakeDiscord, bot: ParrotBot, sink: RecordingSink
) -> None:
    world = fake.world
    await fake.move_to_voice(world.trainer, world.voice_channel.id)
    await fake.send_message(world.trainer, "hello")
    await fake.send_message(world.admin, "hello")
    await fake.send_message(world.owner, "hello")
    trainer, admin, owner = (command.message.author for command in await sink.wait_for(3))
    assert (trainer.roles, trainer.can_manage_guild, trainer.is_owner) == (frozenset({"Trainer"}), False, False)
    assert (admin.roles, admin.can_manage_guild, admin.is_owner) == (frozenset({"Admin"}), True, False)
    assert (owner.can_manage_guild, owner.is_owner) == (False, True)
    assert sink.commands[0].message.author_voice_channel_id == world.voice_channel.id
    assert sink.commands[1].message.author_voice_channel_id is None


async def test_a_reply_points_at_the_message_it_answers(fake: FakeDiscord, bot: ParrotBot, sink: RecordingSink) -> None:
    first = await fake.send_message(fake.world.alice, "hello")
    await fake.send_message(fake.world.alice, "!correct Say hi back", reply_to=int(first["id"]))
    _, correction = await sink.wait_for(2)
    assert isinstance(correction, c.CorrectReply)
    assert correction.message.reply_to == int(first["id"])


async def test_a_dataset_attached_to_train_becomes_the_commands_attachment(
    fake: FakeDiscord, bot: ParrotBot, sink: RecordingSink
) -> None:
    attachment = fake.add_attachment("data.csv", b"question,answer\nhi,hello\n", "text/csv")
    await fake.send_message(fake.world.admin, "!train", attachments=[attachment])
    command = await sink.next_of(c.TrainModel)
    assert command.attachment is not None
    assert (command.attachment.filename, command.attachment.size) == ("data.csv", 25)
    assert await bot.attachments.fetch(command.attachment, 1000) == b"question,answer\nhi,hello\n"


async def test_messages_from_bots_and_from_itself_are_ignored(
    fake: FakeDiscord, bot: ParrotBot, sink: RecordingSink
) -> None:
    await fake.send_message(fake.world.other_bot, "!hi")
    await fake.send_message(fake.world.other_bot, "hello parrot")
    # The bot's own reply comes back over the gateway, as on Discord.
    mark = len(fake.calls)
    await bot.chat.send_text(ChannelId(fake.world.text_channel.id), "!hi from the bot itself")
    await fake.wait_for(lambda call: call.route == SEND_MESSAGE, since=mark)
    await fake.send_message(fake.world.alice, "!hi")
    [command] = await sink.wait_for(1)
    assert command.message.author.id == fake.world.alice.id
    assert len(sink.commands) == 1
