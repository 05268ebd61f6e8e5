"""Every command is defined end to end: a handler in the container, a catalogue entry, a Discord cog command."""

from collections.abc import Sequence
from dataclasses import MISSING, fields

from discord.ext import commands as discord_commands

from adapters.discord.cogs.files import Files
from adapters.discord.cogs.general import General
from adapters.discord.cogs.models import Models
from adapters.discord.cogs.voice import Voice
from application.chat.permissions import PrivilegePolicy
from application.messagebus import BusMessage, MessageBus
from bootstrap import Container
from domain import commands
from domain.catalogue import BY_NAME
from domain.messages import Message
from support.scripted_discord import ScriptedDiscord, member


def all_command_types() -> set[type[commands.Command]]:
    # From the module, not Command.__subclasses__(): slotted dataclasses leave their pre-slots classes behind.
    return {
        kind
        for kind in vars(commands).values()
        if isinstance(kind, type) and issubclass(kind, commands.Command) and kind is not commands.Command
    }


def cog_command_names() -> set[str]:
    names: set[str] = set()
    for cog in (General, Voice, Models, Files):
        names.update(command.name for command in cog.__cog_commands__ if isinstance(command, discord_commands.Command))
    return names


def test_every_command_has_a_handler_in_the_container_and_every_handler_a_command() -> None:
    # The bus's handlers are every feature's, as the root composes them (bootstrap.all_handlers).
    handled = {kind for feature in Container.command_handlers.args for kind in feature.kwargs}
    assert handled == all_command_types()


def test_every_catalogue_entry_has_a_cog_command_and_every_cog_command_an_entry() -> None:
    assert cog_command_names() == set(BY_NAME)


def test_privileged_commands_are_marked_in_the_catalogue_too() -> None:
    # The slash menu hides what the catalogue marks privileged; the bus refuses what the command marks.
    marked = {kind.privileged_as.split()[0] for kind in all_command_types() if kind.privileged_as}
    assert marked <= {name for name, spec in BY_NAME.items() if spec.privileged} | {
        "feedback",
        "listen",
    }  # mixed: optout is for anyone


async def test_the_bus_refuses_every_privileged_command_to_a_member_without_the_right() -> None:
    chat = ScriptedDiscord()
    ran: list[type[commands.Command]] = []

    async def handler(command: commands.Command) -> Sequence[BusMessage]:
        ran.append(type(command))
        return ()

    privileged = sorted((k for k in all_command_types() if k.privileged_as), key=lambda k: k.__name__)
    bus = MessageBus(dict.fromkeys(privileged, handler), {}, chat, admit=PrivilegePolicy().admit_command)
    for kind in privileged:
        guest = chat.message("!x", author=member(user_id=2, admin=False))
        await bus.handle(_instance(kind, guest))
        assert chat.replies_to(guest)[0].text.startswith(f"`!{kind.privileged_as}` needs the Manage Server"), kind
        await bus.handle(_instance(kind, chat.message("!x", author=member(user_id=3, admin=True))))
    assert ran == privileged
    assert commands.ShowTrainingStatus in privileged  # `train status` is gated like `train`, on every driver


def _instance(kind: type[commands.Command], message: Message) -> commands.Command:
    # Every field but the message has a default or takes a string.
    extra = {f.name: "1" for f in fields(kind) if f.name != "message" and f.default is MISSING}
    return kind(message, **extra)
