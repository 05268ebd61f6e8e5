"""Long texts cut into chat-sized messages without breaking words."""

# Coarsest first: a paragraph break is the most natural place to cut, a space the last resort.
_SEPARATORS = ("\n\n", "\n", " ")


def split_for_chat(text: str, limit: int) -> list[str]:
    """Cut `text` into pieces of at most `limit` characters.

    Pieces are packed as full as possible, cutting between paragraphs, then between lines, then
    between words; only a word longer than `limit` is cut inside. Whitespace-only pieces are dropped.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    stripped = text.strip()
    if not stripped:
        return []
    return [piece for piece in _split(stripped, limit, 0) if piece.strip()]


def _split(text: str, limit: int, level: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    if level == len(_SEPARATORS):
        return [text[start : start + limit] for start in range(0, len(text), limit)]
    separator = _SEPARATORS[level]
    pieces: list[str] = []
    current = ""
    for part in text.split(separator):
        if len(part) > limit:
            # Too long even alone: cut it at the next finer separator.
            if current:
                pieces.append(current)
                current = ""
            pieces.extend(_split(part, limit, level + 1))
            continue
        candidate = f"{current}{separator}{part}" if current else part
        if len(candidate) <= limit:
            current = candidate
        else:
            pieces.append(current)
            current = part
    if current:
        pieces.append(current)
    return [piece.strip() for piece in pieces]


def split_at_paragraphs(text: str, limit: int, max_parts: int = 3) -> list[str] | None:
    """Markdown cut into at most `max_parts` messages of `limit` characters, only between paragraphs.

    A code block (``` fences) is one paragraph, blank lines inside it included, so no message breaks one.
    None when a paragraph alone is longer than `limit` or more messages would be needed: send a file instead.
    """
    paragraphs: list[str] = []
    current: list[str] = []
    fenced = False
    for line in text.strip().splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not line.strip() and not fenced:
            if current:
                paragraphs.append("\n".join(current))
                current = []
            continue
        current.append(line)
    if current:
        paragraphs.append("\n".join(current))
    pieces: list[str] = []
    for paragraph in paragraphs:
        if len(paragraph) > limit:
            return None
        if pieces and len(pieces[-1]) + 2 + len(paragraph) <= limit:
            pieces[-1] = f"{pieces[-1]}\n\n{paragraph}"
        else:
            pieces.append(paragraph)
    return pieces if len(pieces) <= max_parts else None
