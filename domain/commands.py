"""What a user asks Parrot to do. Drivers build these from platform input."""

from dataclasses import dataclass
from typing import ClassVar

from domain.ids import ChannelId, GuildId, MessageId
from domain.messages import Attachment, Message
from domain.speech import AudioClip
from domain.text import Text


@dataclass(frozen=True, slots=True)
class Command:
    """Every command carries the message that asked for it: who, where, and what to answer.

    `privileged_as` names a command only admins may run (as the refusal names it); the bus checks it.
    `heavy` marks a command whose own handling may take long (hearing audio): the bus runs it beside its channel's
    other messages instead of before them, and its replies quote the message they answer. (Training and testing
    only start a job, which runs beside everything already; a message after `train` still sees it started.)
    """

    privileged_as: ClassVar[str] = ""
    heavy: ClassVar[bool] = False

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
    with_starter: bool = False  # keep the starter knowledge alongside the server's own data


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
    """Correct a reply: the one the message replies to (or the channel's latest), or, from the review page,
    the reply to `user_text` (what the user asked) and `bot_reply` (what Parrot said); `unanswered_intent` when
    that reply only named an intent without an answer, so the correction becomes its answer."""

    correction: str
    user_text: str = ""
    bot_reply: str = ""
    unanswered_intent: str = ""


@dataclass(frozen=True, slots=True)
class RetractCorrection(Command):
    """Withdraw the corrections of one message; the record of them stays in the log."""

    privileged_as = "feedback retract"

    user_text: str


@dataclass(frozen=True, slots=True)
class IgnoreMessages(Command):
    """Mark messages of the review inbox as seen without teaching anything; nothing is deleted."""

    privileged_as = "feedback ignore"

    texts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RateReply(Command):
    """A member gave one of Parrot's replies a thumbs-down (on Discord, a 👎 reaction): it goes to the review inbox.

    The message stands for the reaction: its author is who reacted, its channel where; `reply_id` is the reply.
    """

    reply_id: MessageId


@dataclass(frozen=True, slots=True)
class UploadDataset(Command):
    """Keep a dataset file for later training, validated as `train` validates it."""

    privileged_as = "train upload"

    attachment: Attachment


@dataclass(frozen=True, slots=True)
class ReplyToMessage(Command):
    """Answer `text` (the message's content, or the transcript of its audio) through the model."""

    text: str


@dataclass(frozen=True, slots=True)
class TranscribeAudio(Command):
    heavy = True

    attachment: Attachment


@dataclass(frozen=True, slots=True)
class SpeakText(Command):
    text: Text | str
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
    `tentative`: heard at a short pause, before it is known that the member has finished; answered only if the
    listener then says that the turn ended with this audio (`VoiceListening.turn_ended`).
    Heavy: hearing may wait for the work queue, and typed messages in that channel need not wait behind it.
    """

    heavy = True

    audio: AudioClip
    voice_channel_id: ChannelId
    people_present: int = 1
    ended_at: float = 0.0
    tentative: bool = False


@dataclass(frozen=True, slots=True)
class InterruptSpeech(Command):
    """A member started speaking while Parrot talks: stop talking (barge-in)."""


@dataclass(frozen=True, slots=True)
class TranscribeOnRequest(Command):
    """Transcribe a chosen message's audio (Discord: "Transcribe" in the message menu); the model does not answer.

    `attachment` is None when the chosen message has no audio: the handler says so.
    """

    heavy = True

    attachment: Attachment | None = None


@dataclass(frozen=True, slots=True)
class ChangeSettings(Command):
    """Show this space's settings (no `setting`), or change one of them."""

    privileged_as = "settings"

    setting: str = ""
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ForgetMe(Command):
    """Delete what Parrot keeps about the caller; `target` is the word typed after `forget`, which must be `me`."""

    target: str = "me"


@dataclass(frozen=True, slots=True)
class ShowPrivacy(Command):
    pass
