"""docs/architecture.md is a map: every file, folder and class it names must exist, or a newcomer gets lost."""

import re

from support.shared_data import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "architecture.md"
SOURCES = ("domain", "application", "adapters", "wiring", "support", "bootstrap.py", "cli.py")
# Names from libraries the document mentions, not defined in Parrot.
LIBRARY_NAMES = {"Literal"}


def quoted(text: str) -> list[str]:
    return re.findall(r"`([^`\n]+)`", text)


def is_path(name: str) -> bool:
    return "/" in name or name.endswith((".py", ".toml"))


def named_paths(text: str) -> list[str]:
    """Every path named, from the project root; in a table row, a bare file name is inside the row's folder."""
    paths: set[str] = set()
    for line in text.splitlines():
        names = [q for q in quoted(line) if is_path(q)]
        folder = next((n for n in names if n.endswith("/")), "") if line.startswith("|") else ""
        for name in names:
            inside = folder and "/" not in name.rstrip("/") and not (PROJECT_ROOT / name).exists()
            paths.add(folder + name if inside else name)
    return sorted(paths)


def exists(path: str) -> bool:
    """A path with a placeholder (`<feature>`) exists when some feature has it."""
    pattern = re.sub(r"<\w+>", "*", path.rstrip("/"))
    return any(PROJECT_ROOT.glob(pattern)) if "*" in pattern else (PROJECT_ROOT / pattern).exists()


def named_classes(text: str) -> list[str]:
    names = {re.sub(r"\W.*", "", q) for q in quoted(text)}
    return sorted(n for n in names if re.fullmatch(r"(?:[A-Z][a-z0-9]+){2,}", n) and n not in LIBRARY_NAMES)


def definitions() -> set[str]:
    defined: set[str] = set()
    for source in SOURCES:
        root = PROJECT_ROOT / source
        files = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for file in files:
            text = file.read_text(encoding="utf-8")
            defined.update(re.findall(r"^\s*(?:class|def|async def)\s+(\w+)", text, re.MULTILINE))
            defined.update(re.findall(r"^(\w+)\s*[:=]", text, re.MULTILINE))
    return defined


def test_every_path_the_architecture_names_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    paths = named_paths(text)
    assert len(paths) > 40  # the three paths and the "where does my change go" list name this many
    missing = [path for path in paths if not exists(path)]
    assert missing == [], f"docs/architecture.md names paths that do not exist: {missing}"


def test_every_class_the_architecture_names_is_defined() -> None:
    names = named_classes(DOC.read_text(encoding="utf-8"))
    assert {"ReplyToMessageHandler", "HearUtteranceHandler", "JobExecutor", "VoiceSessions"} <= set(names)
    defined = definitions()
    assert [n for n in names if n not in defined] == [], "docs/architecture.md names classes Parrot does not define"


def test_every_feature_folder_is_on_the_map() -> None:
    text = DOC.read_text(encoding="utf-8")
    features = sorted(p.name for p in (PROJECT_ROOT / "application").iterdir() if (p / "__init__.py").exists())
    assert "voice" in features and "ports" in features
    off_the_map = [f for f in features if f != "ports" and not re.search(rf"^ {f}\b| {f} │|│ {f}\b", text, re.M)]
    assert off_the_map == [], f"features missing from the layers picture: {off_the_map}"
