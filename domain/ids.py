"""Identifiers of the things a chat platform talks about."""

from typing import NewType

GuildId = NewType("GuildId", int)
ChannelId = NewType("ChannelId", int)
UserId = NewType("UserId", int)
MessageId = NewType("MessageId", int)
