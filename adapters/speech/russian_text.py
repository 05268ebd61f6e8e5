"""Russian text rewritten for a Russian voice: Latin words in Cyrillic, abbreviations and symbols in words.

A Russian voice reads Latin letters by its own rules, so "Discord" and "train" come out garbled; Parrot's
replies name its commands and a few products in English. Numbers are left alone: Festival's Russian voice
reads digits itself (and agrees "года" and month names with them), better than a rewriting blind to case.
bench/speech.py measures the voice with and without this module.
"""

import re

# The Latin words Parrot's own replies say (commands, products), as a Russian speaker says them.
LATIN_WORDS: dict[str, str] = {
    "parrot": "паррот",
    "discord": "дискорд",
    "archive": "аркайв",
    "correct": "коррект",
    "feedback": "фидбэк",
    "forget": "форгет",
    "getfile": "гет файл",
    "help": "хелп",
    "hi": "хай",
    "instruction": "инстракшн",
    "join": "джойн",
    "leave": "лив",
    "listen": "лисн",
    "me": "ми",
    "model": "модел",
    "privacy": "прайвеси",
    "settings": "сеттингс",
    "sync": "синк",
    "test": "тест",
    "train": "трейн",
    "transcribe": "транскрайб",
    "teach": "тич",
    "apps": "эппс",
    "app": "эпп",
    "bot": "бот",
    "server": "сервер",
    "online": "онлайн",
    "ok": "окей",
    "okay": "окей",
    "google": "гугл",
    "github": "гитхаб",
    "youtube": "ютуб",
    "python": "пайтон",
    "whisper": "виспер",
    "piper": "пайпер",
    "espeak": "испик",
    "festival": "фестиваль",
    "email": "имейл",
    "wifi": "вайфай",
}

# Any other Latin word, letter group by letter group, as it would be spelt in Cyrillic (near enough to be heard).
_LATIN_GROUPS: tuple[tuple[str, str], ...] = (
    ("tion", "шн"), ("sch", "ш"), ("tch", "ч"), ("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("ph", "ф"),
    ("th", "т"), ("kh", "х"), ("ck", "к"), ("ee", "и"), ("oo", "у"), ("ea", "и"), ("ou", "ау"), ("qu", "кв"),
    ("ya", "я"), ("yu", "ю"), ("yo", "ё"), ("ye", "е"),
    ("a", "а"), ("b", "б"), ("c", "к"), ("d", "д"), ("e", "е"), ("f", "ф"), ("g", "г"), ("h", "х"),
    ("i", "и"), ("j", "дж"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"),
    ("q", "к"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("v", "в"), ("w", "в"), ("x", "кс"),
    ("y", "й"), ("z", "з"),
)  # fmt: skip
_LATIN_GROUP = re.compile("|".join(re.escape(latin) for latin, _ in _LATIN_GROUPS))
_CYRILLIC_OF_GROUP = dict(_LATIN_GROUPS)

# Common written abbreviations; the dots inside them would otherwise stop the voice.
_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("и т. д.", "и так далее"), ("и т. п.", "и тому подобное"), ("т. е.", "то есть"), ("т. к.", "так как"),
    ("т. н.", "так называемый"), ("т. д.", "так далее"), ("т. п.", "тому подобное"), ("напр.", "например"),
    ("см.", "смотрите"), ("тыс.", "тысяч"), ("руб.", "рублей"), ("млн", "миллионов"), ("млрд", "миллиардов"),
)  # fmt: skip
_ABBREVIATION = re.compile(
    "|".join(
        r"(?<!\w)"
        + r"\s*".join(re.escape(part) for part in written.split())
        + (r"(?!\w)" if written[-1].isalpha() else "")
        for written, _ in _ABBREVIATIONS
    ),
    re.IGNORECASE,
)
_SAID_BY_ABBREVIATION = {written.replace(" ", ""): said for written, said in _ABBREVIATIONS}

_SYMBOLS = {"%": " процентов", "№": " номер ", "&": " и ", "+": " плюс ", "=": " равно ", "@": " собака "}
_SYMBOL = re.compile("|".join(re.escape(symbol) for symbol in _SYMBOLS))
_LATIN_WORD = re.compile(r"[A-Za-z]+(?:[-'][A-Za-z]+)*")


def normalise_russian(text: str) -> str:
    """`text` with abbreviations, a few symbols and every Latin word in Cyrillic; other text unchanged."""
    text = _ABBREVIATION.sub(lambda match: _SAID_BY_ABBREVIATION[re.sub(r"\s+", "", match.group()).lower()], text)
    text = _SYMBOL.sub(lambda match: _SYMBOLS[match.group()], text)
    return _LATIN_WORD.sub(lambda match: cyrillic(match.group()), text)


def cyrillic(word: str) -> str:
    """A Latin word as a Russian reader would say it: from `LATIN_WORDS`, else spelt group by group."""
    lower = word.lower()
    known = LATIN_WORDS.get(lower) or LATIN_WORDS.get(lower.replace("-", ""))
    if known is not None:
        return known
    return _LATIN_GROUP.sub(lambda match: _CYRILLIC_OF_GROUP[match.group()], lower.replace("'", ""))
