"""What a user asks Parrot to do. Drivers build these from platform input."""

from dataclasses import dataclass

from domain.ids import ChannelId, GuildId
from domain.messages import Attachment, Message


@dataclass(frozen=True, slots=True)
class Command:
    """Every command carries the message that asked for it: who, where, and what to answer."""

    message: Message


@dataclass(frozen=True, slots=True)
class Greet(Command):
    pass


@dataclass(frozen=True, slots=True)
class ShowHelp(Command):
    topic: str = ""


@dataclass(frozen=True, slots=True)
class UnknownCommand(Command):
    name: str


@dataclass(frozen=True, slots=True)
class JoinVoice(Command):
    pass


@dataclass(frozen=True, slots=True)
class LeaveVoice(Command):
    pass


@dataclass(frozen=True, slots=True)
class TrainModel(Command):
    inline_text: str = ""
    attachment: Attachment | None = None
    backend: str | None = None
    with_starter: bool = False  # keep the starter knowledge alongside the server's own data


@dataclass(frozen=True, slots=True)
class ShowTrainingStatus(Command):
    pass


@dataclass(frozen=True, slots=True)
class TestModel(Command):
    inline_text: str = ""
    attachment: Attachment | None = None


@dataclass(frozen=True, slots=True)
class ListModels(Command):
    pass


@dataclass(frozen=True, slots=True)
class UseModel(Command):
    version: str


@dataclass(frozen=True, slots=True)
class ArchiveFiles(Command):
    directory: str


@dataclass(frozen=True, slots=True)
class SelectDataset(Command):
    name: str = ""


@dataclass(frozen=True, slots=True)
class SendInstruction(Command):
    pass


@dataclass(frozen=True, slots=True)
class GetFile(Command):
    path: str


@dataclass(frozen=True, slots=True)
class SubmitFeedback(Command):
    text: str


@dataclass(frozen=True, slots=True)
class ListFeedback(Command):
    pass


@dataclass(frozen=True, slots=True)
class CorrectReply(Command):
    correction: str


@dataclass(frozen=True, slots=True)
class ReplyToMessage(Command):
    """Answer `text` (the message's content, or the transcript of its audio) through the model."""

    text: str


@dataclass(frozen=True, slots=True)
class TranscribeAudio(Command):
    attachment: Attachment


@dataclass(frozen=True, slots=True)
class SpeakText(Command):
    text: str
    guild_id: GuildId
    voice_channel_id: ChannelId
