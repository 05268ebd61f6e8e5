"""What a user asks Parrot to do. Drivers build these from platform input."""

from dataclasses import dataclass
from typing import ClassVar

from domain.ids import ChannelId, GuildId
from domain.messages import Attachment, Message
from domain.speech import AudioClip


@dataclass(frozen=True, slots=True)
class Command:
    """Every command carries the message that asked for it: who, where, and what to answer.

    `privileged_as` names a command only admins may run (as the refusal names it); the bus checks it.
    """

    privileged_as: ClassVar[str] = ""

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
    privileged_as = "train"

    inline_text: str = ""
    attachment: Attachment | None = None
    backend: str | None = None


@dataclass(frozen=True, slots=True)
class ShowTrainingStatus(Command):
    privileged_as = "train status"


@dataclass(frozen=True, slots=True)
class TestModel(Command):
    privileged_as = "test"

    inline_text: str = ""
    attachment: Attachment | None = None


@dataclass(frozen=True, slots=True)
class ListModels(Command):
    privileged_as = "model"


@dataclass(frozen=True, slots=True)
class UseModel(Command):
    privileged_as = "model use"

    version: str


@dataclass(frozen=True, slots=True)
class ArchiveFiles(Command):
    privileged_as = "archive"

    directory: str


@dataclass(frozen=True, slots=True)
class SelectDataset(Command):
    privileged_as = "select_dataset"

    name: str = ""


@dataclass(frozen=True, slots=True)
class SendInstruction(Command):
    pass


@dataclass(frozen=True, slots=True)
class GetFile(Command):
    privileged_as = "getfile"

    path: str


@dataclass(frozen=True, slots=True)
class SubmitFeedback(Command):
    text: str


@dataclass(frozen=True, slots=True)
class ListFeedback(Command):
    privileged_as = "feedback list"


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


@dataclass(frozen=True, slots=True)
class SetListening(Command):
    """Turn listening in the caller's voice channel on or off."""

    privileged_as = "listen on|off"

    on: bool


@dataclass(frozen=True, slots=True)
class SetListeningConsent(Command):
    """A member opts out of being heard (or back in); anyone may, for themselves."""

    opted_out: bool


@dataclass(frozen=True, slots=True)
class HearUtterance(Command):
    """A member said this in a voice channel Parrot listens to: hear it, then answer as a typed message.

    `message` stands for the spoken turn: its author is the speaker, its channel where the transcript and
    answer go. `ended_at` is when the last voiced packet arrived (a monotonic clock, for measurements).
    """

    audio: AudioClip
    voice_channel_id: ChannelId
    people_present: int = 1
    ended_at: float = 0.0


@dataclass(frozen=True, slots=True)
class InterruptSpeech(Command):
    """A member started speaking while Parrot talks: stop talking (barge-in)."""
