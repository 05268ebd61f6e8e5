"""Checks on a command's arguments that every handler shares."""

from domain.catalogue import BY_NAME
from domain.errors import MissingArgument


def require(argument: str, command_name: str) -> str:
    """The argument, or a refusal that shows the command's usage."""
    if not argument:
        raise MissingArgument(BY_NAME[command_name].usage)
    return argument
