"""The commands users can type, with their usage: one list for help, drivers and suggestions."""

import difflib
import string
from dataclasses import dataclass

from domain.text import Aside, Code, CommandRef, Text, join_lines, say, with_commands


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    usage: str
    # A command it names is written "`!name ...`": each chat shows it with its own prefix (see `with_commands`).
    summary: str
    privileged: bool = False
    expensive: bool = False
    # Shown by `help NAME` only, after the summary; written as `summary` is.
    details: str = ""


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("hi", "hi", "Say hello."),
    CommandSpec("help", "help [command]", "List every command, or explain one."),
    CommandSpec("join", "join", "Join your voice channel; replies are then spoken there."),
    CommandSpec("leave", "leave", "Leave the voice channel."),
    CommandSpec(
        "listen",
        "listen on | off | optout | optin",
        "Hear your voice channel and answer what is said (admins: on, off); anyone can opt out or back in.",
    ),
    CommandSpec(
        "train",
        "train [status | --with-starter] [data as text | attached file]",
        "Train the model on an attached file, inline `question => answer` lines, or the selected dataset; "
        "`--with-starter` keeps the starter knowledge.",
        privileged=True,
        expensive=True,
        details=(
            "Each answer needs at least two ways of asking, and I need at least two different answers. "
            "The answer is optional: without one I can only name what I recognised, until you add it "
            "(or reply to such a reply with `!correct THE ANSWER`). The formats, with one example each:\n"
            "- CSV or TSV with a header: `text,intent,answer`, then lines like "
            "`when do you open?,opening_hours,We open at nine.`\n"
            '- JSON Lines: `{"text": "when do you open?", "intent": "opening_hours", "answer": "We open at nine."}`\n'
            "- `Q:`/`A:` blocks: `Q: when do you open?`, `Q: your opening hours?`, then `A: We open at nine.`, "
            "a blank line between blocks\n"
            "- `question => answer` lines, in a file or after the command: `when do you open? => We open at nine.`\n"
            "- Rasa `nlu.yml`: intents and their examples, without answers\n"
            "`!instruction` sends a file with a whole example in each format."
        ),
    ),
    CommandSpec(
        "test",
        "test [data as text | attached file]",
        "Evaluate the model on given data, or cross-validate on the selected dataset.",
        privileged=True,
        expensive=True,
    ),
    CommandSpec("model", "model [use N]", "List model versions, or switch to version N.", privileged=True),
    CommandSpec("archive", "archive DIRECTORY", "Zip a directory of this server's data and send it.", privileged=True),
    CommandSpec(
        "select_dataset",
        "select_dataset [NAME]",
        "Choose the dataset `!train` uses; without a name, list the datasets.",
        privileged=True,
    ),
    CommandSpec("instruction", "instruction", "Send the instructions."),
    CommandSpec("getfile", "getfile PATH", "Send a file from this server's files.", privileged=True),
    CommandSpec("correct", "correct TEXT", "Correct my previous reply in this channel (or the one you reply to)."),
    CommandSpec(
        "feedback", "feedback TEXT | feedback list", "Tell us what you think; admins list it with `!feedback list`."
    ),
    CommandSpec(
        "settings",
        "settings [transcribe on|off | voice on|off | voicelog on|off | languages CODE... | starter on|off]",
        "Show this server's settings, or change one: voice message transcription, spoken replies, keeping voice "
        "chat's transcripts, languages, starter knowledge.",
        privileged=True,
    ),
    CommandSpec("privacy", "privacy", "What I keep about you, where, and for how long."),
    CommandSpec("forget", "forget me", "Delete everything I keep about you here and in direct messages."),
)

BY_NAME: dict[str, CommandSpec] = {spec.name: spec for spec in COMMANDS}


def closest_command(name: str) -> str | None:
    matches = difflib.get_close_matches(name.lower(), list(BY_NAME), n=1, cutoff=0.5)
    return matches[0] if matches else None


def help_text(topic: str = "") -> Text:
    """Every command with its usage, or one command explained; the chat adds its prefix to each command."""
    # Whatever prefix the user typed before the name (`help !train`) is not part of it.
    topic = topic.strip().lstrip(string.punctuation).lower()
    if topic:
        spec = BY_NAME.get(topic)
        if spec is None:
            suggestion = closest_command(topic)
            hint = say(" Did you mean ", CommandRef(suggestion), "?") if suggestion else ""
            return say("I don't know the command ", Code(topic), ".", hint)
        note = " (admins only)" if spec.privileged else ""
        details = say("\n", with_commands(spec.details, BY_NAME)) if spec.details else ""
        return say(CommandRef(spec.usage), f"{note}\n", with_commands(spec.summary, BY_NAME), details)
    lines: list[Text | str] = ["Here is what I can do:"]
    for spec in COMMANDS:
        marked: Text | str = say(" ", Aside("(admins)")) if spec.privileged else ""
        lines.append(say(CommandRef(spec.usage), " - ", with_commands(spec.summary, BY_NAME), marked))
    lines.append("Any other message gets an answer from my model; voice messages are transcribed first.")
    lines.append(
        'On Discord, "Transcribe" in a message\'s menu (Apps) transcribes its voice message for you alone, '
        'and "Teach me" under an answer I was unsure of lets you give the right one.'
    )
    return join_lines(lines)
