"""Which writing system a text is in, to choose among the languages Parrot speaks without a language model."""

# Languages written in Cyrillic among those Whisper and eSpeak know; every other configured language is taken
# to be written in Latin letters (the two scripts Parrot's default languages use).
CYRILLIC_LANGUAGES = frozenset({"ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "tg", "mn", "ba", "tt"})


def is_cyrillic_language(code: str) -> bool:
    return code.lower() in CYRILLIC_LANGUAGES


def written_in_cyrillic(text: str) -> bool | None:
    """True when most letters are Cyrillic, False when most are Latin, None when the text has no such letters."""
    cyrillic = latin = 0
    for character in text:
        if "\u0400" <= character <= "\u04ff":
            cyrillic += 1
        elif character.isascii() and character.isalpha():
            latin += 1
    if cyrillic == latin == 0:
        return None
    return cyrillic > latin


def language_of_text(text: str, languages: tuple[str, ...]) -> str | None:
    """The first of `languages` (bare codes) written in the script most of `text` is in, or None."""
    cyrillic = written_in_cyrillic(text)
    if cyrillic is None:
        return None
    return next((code for code in languages if is_cyrillic_language(code) == cyrillic), None)
