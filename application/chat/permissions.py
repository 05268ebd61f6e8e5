"""Who may run the privileged commands."""

from dataclasses import dataclass

from domain.commands import Command
from domain.errors import PermissionDenied
from domain.messages import Message
from domain.text import CommandRef, say


@dataclass(frozen=True, slots=True)
class PrivilegePolicy:
    """Privileged commands are for the bot owner, members who may manage the server, and configured roles."""

    roles: frozenset[str] = frozenset()
    allow_direct_messages: bool = True

    def admit(self, message: Message) -> None:
        """Every command passes here first: direct messages are served only when configured so."""
        if message.guild_id is None and not self.allow_direct_messages and not message.author.is_owner:
            raise PermissionDenied("I only take messages in servers; please talk to me in a server's channel.")

    def admit_command(self, command: Command) -> None:
        """The message bus's gate, run before every command's handler: the one place privilege is checked."""
        self.admit(command.message)
        if command.privileged_as:
            self.require(command.message, command.privileged_as)

    def allows(self, message: Message) -> bool:
        author = message.author
        if author.is_owner:
            return True
        if message.guild_id is None:
            # In a direct message the user only ever touches their own space.
            return self.allow_direct_messages
        return author.can_manage_guild or bool(self.roles & author.roles)

    def require(self, message: Message, command_name: str) -> None:
        if self.allows(message):
            return
        needed = "the Manage Server permission"
        if self.roles:
            needed += " or one of the roles " + ", ".join(f"`{role}`" for role in sorted(self.roles))
        raise PermissionDenied(say(CommandRef(command_name), f" needs {needed}."))
