"""Turns a chat message's text into a domain command, for drivers that receive raw text.

The builders of commands whose argument has structure (`train status`, `model use N`, `feedback list`)
are public: the Discord cogs build the same commands from discord.py's typed parameters with them.
"""

import re
from collections.abc import Callable

from domain import commands as c
from domain.messages import Message

_BACKEND_OPTION = re.compile(r"--backend(?:=|\s+)(\S+)\s*")


def parse_message(message: Message, prefix: str) -> c.Command:
    """The command a message asks for. Plain text is answered by the model; audio is heard first.

    Parsing never fails: a command whose argument is missing or malformed still parses, and its
    handler refuses it with the usage, so every driver gives the same answer.
    """
    text = message.content.strip()
    if not text.startswith(prefix) or len(text) == len(prefix):
        audio = message.audio_attachments
        if audio:
            return c.TranscribeAudio(message, attachment=audio[0])
        return c.ReplyToMessage(message, text=text)
    name, _, rest = text[len(prefix) :].partition(" ")
    name = name.strip().lower()
    argument = rest.strip()
    builder = _BUILDERS.get(name)
    if builder is None:
        return c.UnknownCommand(message, name=name)
    return builder(message, argument)


def build_train(message: Message, argument: str) -> c.Command:
    if argument.lower() == "status":
        return c.ShowTrainingStatus(message)
    backend: str | None = None
    with_starter = False
    while argument.startswith("--"):
        if argument.startswith("--with-starter") and argument[len("--with-starter") :][:1] in ("", " ", "\n"):
            with_starter, argument = True, argument[len("--with-starter") :].lstrip()
            continue
        if not argument.startswith("--backend"):
            break
        option = _BACKEND_OPTION.match(argument)
        # An option without a name stays empty, so the handler refuses it with the usage.
        backend, argument = (option.group(1), argument[option.end() :]) if option else ("", "")
    attachment = message.attachments[0] if message.attachments else None
    return c.TrainModel(
        message, inline_text=argument.strip(), attachment=attachment, backend=backend, with_starter=with_starter
    )


def build_test(message: Message, argument: str) -> c.Command:
    attachment = message.attachments[0] if message.attachments else None
    return c.TestModel(message, inline_text=argument, attachment=attachment)


def build_model(message: Message, argument: str) -> c.Command:
    words = argument.split()
    if words and words[0].lower() == "use":
        return c.UseModel(message, version=" ".join(words[1:]))
    return c.ListModels(message)


def build_feedback(message: Message, argument: str) -> c.Command:
    if argument.lower() == "list":
        return c.ListFeedback(message)
    return c.SubmitFeedback(message, text=argument)


def build_listen(message: Message, argument: str) -> c.Command:
    choice = argument.strip().lower()
    if choice in ("on", "off"):
        return c.SetListening(message, on=choice == "on")
    if choice in ("optout", "optin", "opt-out", "opt-in"):
        return c.SetListeningConsent(message, opted_out=choice.startswith("opt-o") or choice == "optout")
    return c.ShowHelp(message, topic="listen")


def build_settings(message: Message, argument: str) -> c.Command:
    words = argument.split()
    return c.ChangeSettings(message, setting=words[0] if words else "", values=tuple(words[1:]))


_BUILDERS: dict[str, Callable[[Message, str], c.Command]] = {
    "hi": lambda m, a: c.Greet(m),
    "hello": lambda m, a: c.Greet(m),
    "help": lambda m, a: c.ShowHelp(m, topic=a),
    "join": lambda m, a: c.JoinVoice(m),
    "leave": lambda m, a: c.LeaveVoice(m),
    "listen": build_listen,
    "train": build_train,
    "test": build_test,
    "model": build_model,
    "archive": lambda m, a: c.ArchiveFiles(m, directory=a),
    "select_dataset": lambda m, a: c.SelectDataset(m, name=a),
    "instruction": lambda m, a: c.SendInstruction(m),
    "instructions": lambda m, a: c.SendInstruction(m),
    "getfile": lambda m, a: c.GetFile(m, path=a),
    "correct": lambda m, a: c.CorrectReply(m, correction=a),
    "feedback": build_feedback,
    "settings": build_settings,
    "privacy": lambda m, a: c.ShowPrivacy(m),
    "forget": lambda m, a: c.ForgetMe(m, target=a),
}
