"""Chat text made fit to be read aloud, and cut into sentences for streaming speech."""

import re
from collections.abc import Callable
from enum import Enum


class MentionKind(Enum):
    USER = "user"
    CHANNEL = "channel"
    ROLE = "role"


# Maps a mention to the name to say, or None when the id is unknown.
MentionResolver = Callable[[MentionKind, int], str | None]

DEFAULT_NAMES = {MentionKind.USER: "someone", MentionKind.CHANNEL: "a channel", MentionKind.ROLE: "a role"}

_CODE_BLOCK = re.compile(r"```.*?```", re.DOTALL)
_INLINE_CODE = re.compile(r"``[^\n]+?``|`[^`\n]+`")
_CUSTOM_EMOJI = re.compile(r"<a?:\w+:\d+>")
_MENTION = re.compile(r"<(@!?|@&|#)(\d+)>")
_TIMESTAMP = re.compile(r"<t:-?\d+(?::[tTdDfFR])?>")
_SLASH_COMMAND = re.compile(r"</([\w -]+):\d+>")
_MASKED_LINK = re.compile(r"\[([^\]\n]+)\]\(\s*<?https?://[^)\s]+>?\s*\)")
_LINK = re.compile(r"<?\b(?:https?|ftp)://[^\s>]+>?|\bwww\.[^\s>]+", re.IGNORECASE)
_LINE_MARKERS = re.compile(r"^\s*(?:>>>\s?|>\s?|#{1,3}\s+|-#\s+|[-*+]\s+)", re.MULTILINE)
_PAIRED_MARKERS = re.compile(r"(\*\*|__|~~|\|\|)(.+?)\1", re.DOTALL)
_STARRED = re.compile(r"\*(?=\S)(.+?)(?<=\S)\*", re.DOTALL)
# Underscores inside words (snake_case) are kept; only those around a phrase are markup.
_UNDERSCORED = re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)", re.DOTALL)
_STRAY_MARKERS = re.compile(r"[*`~|]+|(?<!\w)_+|_+(?!\w)")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
# What was removed may leave "see ." behind.
_SPACE_BEFORE_PUNCTUATION = re.compile(r" +(?=[.,!?;:…])")

_KIND_BY_SIGIL = {"@": MentionKind.USER, "@!": MentionKind.USER, "@&": MentionKind.ROLE, "#": MentionKind.CHANNEL}


def spoken_text(text: str, resolve: MentionResolver | None = None) -> str:
    """What a voice should say for a chat message.

    Code, links and custom emoji are skipped (nobody wants a URL read out), mentions become names,
    markdown markers vanish. Lines are kept, so `split_sentences` can still break between them.
    """

    def mention(match: re.Match[str]) -> str:
        kind = _KIND_BY_SIGIL[match.group(1)]
        name = resolve(kind, int(match.group(2))) if resolve is not None else None
        return name or DEFAULT_NAMES[kind]

    text = _CODE_BLOCK.sub(" ", text)
    text = _INLINE_CODE.sub(" ", text)
    text = _CUSTOM_EMOJI.sub(" ", text)
    text = _TIMESTAMP.sub(" ", text)
    text = _SLASH_COMMAND.sub(lambda match: match.group(1), text)
    text = _MENTION.sub(mention, text)
    text = _MASKED_LINK.sub(lambda match: match.group(1), text)
    text = _LINK.sub(" ", text)
    text = _LINE_MARKERS.sub("", text)
    # Markers may nest (**__x__**), so peel until nothing changes.
    previous = None
    while previous != text:
        previous = text
        text = _PAIRED_MARKERS.sub(lambda match: match.group(2), text)
        text = _STARRED.sub(lambda match: match.group(1), text)
        text = _UNDERSCORED.sub(lambda match: match.group(1), text)
    text = _STRAY_MARKERS.sub(" ", text)
    lines = (_SPACE_BEFORE_PUNCTUATION.sub("", _SPACES.sub(" ", line)).strip() for line in text.splitlines())
    # A line left with punctuation only (a link and its full stop) has nothing to say.
    return "\n".join(line for line in lines if any(char.isalnum() for char in line))


_SENTENCE_END = re.compile(r"(?<=[.!?…。！？])[\"'»”)\]]*\s+|\n+")
_CLAUSE_END = re.compile(r"(?<=[,;:—–])\s+")
_ABBREVIATIONS = frozenset({"mr.", "mrs.", "ms.", "dr.", "st.", "vs.", "etc.", "e.g.", "i.e.", "no.", "approx."})


def split_sentences(text: str, max_chars: int = 300) -> list[str]:
    """Sentences of `text`, each at most `max_chars` long, to be synthesised one after another.

    A sentence longer than `max_chars` is cut at commas and semicolons, then between words; only a
    word longer than `max_chars` is cut inside. Common abbreviations ("Dr.", "e.g.") end no sentence.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, not {max_chars}")
    sentences: list[str] = []
    for sentence in _sentences(text):
        sentences.extend(_fit(sentence, max_chars))
    return sentences


def _sentences(text: str) -> list[str]:
    sentences: list[str] = []
    pending = ""
    start = 0
    for match in _SENTENCE_END.finditer(text):
        piece = text[start : match.start()] + match.group(0).strip()
        start = match.end()
        pending = f"{pending} {piece}".strip() if pending else piece.strip()
        last_word = pending.rsplit(maxsplit=1)[-1].lower() if pending else ""
        if "\n" not in match.group(0) and last_word in _ABBREVIATIONS:
            continue
        if pending:
            sentences.append(pending)
        pending = ""
    rest = f"{pending} {text[start:].strip()}".strip()
    if rest:
        sentences.append(rest)
    return sentences


def _fit(sentence: str, max_chars: int) -> list[str]:
    if len(sentence) <= max_chars:
        return [sentence]
    pieces: list[str] = []
    for clause in _CLAUSE_END.split(sentence):
        pieces.extend(_pack_words(clause, max_chars))
    # Put short clauses back together so the voice doesn't pause at every comma.
    merged: list[str] = []
    for piece in pieces:
        if merged and len(merged[-1]) + 1 + len(piece) <= max_chars:
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged


def _pack_words(text: str, max_chars: int) -> list[str]:
    pieces: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > max_chars:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(word[:max_chars])
            word = word[max_chars:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= max_chars:
            current = candidate
        else:
            pieces.append(current)
            current = word
    if current:
        pieces.append(current)
    return pieces
