import pytest

from application.chat.command_parser import parse_message
from domain import commands as c
from domain.ids import ChannelId, MessageId, UserId
from domain.messages import Attachment, Author, Message


def message(text: str, attachments: tuple[Attachment, ...] = ()) -> Message:
    return Message(MessageId(1), ChannelId(2), Author(UserId(3), "ann"), text, attachments=attachments)


AUDIO = Attachment(1, "voice-message.ogg", 100, "audio/ogg", "ref", is_voice_message=True)
CSV = Attachment(2, "data.csv", 100, "text/csv", "ref2")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("!hi", c.Greet),
        ("!help", c.ShowHelp),
        ("!join", c.JoinVoice),
        ("!leave", c.LeaveVoice),
        ("!train", c.TrainModel),
        ("!train status", c.ShowTrainingStatus),
        ("!test", c.TestModel),
        ("!model", c.ListModels),
        ("!model use 2", c.UseModel),
        ("!archive files", c.ArchiveFiles),
        ("!select_dataset", c.SelectDataset),
        ("!instruction", c.SendInstruction),
        ("!getfile a.txt", c.GetFile),
        ("!correct right", c.CorrectReply),
        ("!feedback good", c.SubmitFeedback),
        ("!feedback list", c.ListFeedback),
        ("!HI", c.Greet),
        ("hello there", c.ReplyToMessage),
        ("!", c.ReplyToMessage),
        ("!tarin", c.UnknownCommand),
    ],
)
def test_each_command_parses_to_its_domain_command(text: str, expected: type[c.Command]) -> None:
    assert type(parse_message(message(text), "!")) is expected


def test_arguments_are_kept() -> None:
    assert parse_message(message("!getfile  notes/a.txt "), "!") == c.GetFile(
        message("!getfile  notes/a.txt "), "notes/a.txt"
    )
    command = parse_message(message("!correct It opens at 9."), "!")
    assert isinstance(command, c.CorrectReply) and command.correction == "It opens at 9."


def test_inline_training_data_keeps_its_lines_and_the_backend_option() -> None:
    command = parse_message(message("!train --backend tfidf\nhi => hello\nbye => ciao"), "!")
    assert isinstance(command, c.TrainModel)
    assert command.backend == "tfidf"
    assert command.inline_text == "hi => hello\nbye => ciao"


def test_backend_option_without_a_name_parses_to_an_empty_backend() -> None:
    command = parse_message(message("!train --backend"), "!")
    assert isinstance(command, c.TrainModel) and command.backend == ""


def test_an_audio_attachment_is_heard_and_a_dataset_is_trained_on() -> None:
    heard = parse_message(message("", (AUDIO,)), "!")
    assert isinstance(heard, c.TranscribeAudio) and heard.attachment == AUDIO
    train = parse_message(message("!train", (CSV,)), "!")
    assert isinstance(train, c.TrainModel) and train.attachment == CSV


def test_another_prefix() -> None:
    assert type(parse_message(message("?hi"), "?")) is c.Greet
    assert type(parse_message(message("!hi"), "?")) is c.ReplyToMessage


@pytest.mark.parametrize(
    ("text", "backend", "inline"),
    [
        ("!train --with-starter hi => hello", None, "hi => hello"),
        ("!train --with-starter\nhi => hello", None, "hi => hello"),
        ("!train --backend tfidf --with-starter hi => hello", "tfidf", "hi => hello"),
        ("!train --with-starter --backend tfidf", "tfidf", ""),
    ],
)
def test_the_with_starter_option_is_kept_with_the_backend_and_the_data(
    text: str, backend: str | None, inline: str
) -> None:
    command = parse_message(message(text), "!")
    assert isinstance(command, c.TrainModel) and command.with_starter
    assert (command.backend, command.inline_text) == (backend, inline)


def test_without_the_option_the_starter_is_not_kept_and_look_alikes_are_data() -> None:
    plain = parse_message(message("!train hi => hello"), "!")
    assert isinstance(plain, c.TrainModel) and not plain.with_starter
    look_alike = parse_message(message("!train --with-starterish => x"), "!")
    assert isinstance(look_alike, c.TrainModel) and not look_alike.with_starter
    assert look_alike.inline_text == "--with-starterish => x"
