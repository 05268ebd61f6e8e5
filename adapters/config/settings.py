"""Parrot's configuration: `parrot.toml`, then `PARROT_*` environment variables, then `DISCORD_TOKEN`.

Validated once at start-up; an invalid value stops the bot with a message naming its key.
"""

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints, ValidationError, field_validator

DEFAULT_INSTRUCTIONS = Path(__file__).resolve().parent / "instructions.md"


LanguageTag = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DiscordSettings(Section):
    token: SecretStr | None = None
    prefix: str = Field(default="!", min_length=1, max_length=5)
    api_base: str | None = None
    gateway_url: str | None = None
    voice_ca_file: Path | None = None
    guild_ready_timeout: float = Field(default=2.0, gt=0, le=60)
    privileged_roles: tuple[str, ...] = ()
    allow_direct_messages: bool = True
    owner_ids: tuple[int, ...] = ()


class StorageSettings(Section):
    data_root: Path = Path("data")
    instructions: Path = DEFAULT_INSTRUCTIONS


class LimitSettings(Section):
    attachment_mb: float = Field(default=25.0, gt=0, le=500)
    audio_seconds: float = Field(default=600.0, gt=0, le=7200)
    dataset_mb: float = Field(default=20.0, gt=0, le=500)
    file_mb: float = Field(default=8.0, gt=0, le=500)
    archive_mb: float = Field(default=8.0, gt=0, le=500)
    archive_entries: int = Field(default=1000, gt=0, le=100_000)
    feedback_chars: int = Field(default=2000, gt=0, le=20_000)
    heavy_jobs_running: int = Field(default=2, ge=1, le=64)
    heavy_jobs_waiting: int = Field(default=16, ge=0, le=10_000)
    answer_seconds: float = Field(default=15.0, gt=0, le=600)
    hearing_seconds: float = Field(default=180.0, gt=0, le=3600)


class SpeechSettings(Section):
    stt: Literal["whisper", "sphinx", "google"] = "whisper"
    stt_fallback: tuple[Literal["whisper", "sphinx", "google"], ...] = ()
    tts: Literal["auto", "piper", "espeak", "gtts"] = "auto"
    language: LanguageTag = "en-US"
    guild_languages: dict[int, LanguageTag] = {}
    detect_language: bool = False
    load_at_startup: bool = False
    cache_dir: Path | None = None
    timeout_seconds: float = Field(default=15.0, gt=0, le=300)
    voice_idle_seconds: float = Field(default=300.0, gt=0, le=86_400)
    google_endpoint: str | None = None
    google_api_key_env: str = "PARROT_GOOGLE_SPEECH_KEY"
    gtts_endpoint: str | None = None


class OpenAISettings(Section):
    base_url: str = "http://127.0.0.1:11434/v1"
    model: str = "gpt-4o-mini"
    api_key_env: str = "OPENAI_API_KEY"
    timeout_seconds: float = Field(default=30.0, gt=0, le=600)


class ModelSettings(Section):
    # hybrid = the embedded model plus TF-IDF, weighted on held-out data: best on every benchmark (bench/model.py).
    backend: Literal["embedded", "tfidf", "hybrid", "openai"] = "hybrid"
    threshold: float | None = Field(default=None, ge=0, le=1)
    min_examples_per_intent: int = Field(default=2, ge=1, le=1000)
    max_examples: int = Field(default=50_000, ge=1, le=1_000_000)
    # Local backends' cost grows with intents (bench/model.py --worst-case): refused above this many.
    max_intents: int = Field(default=1_000, ge=2, le=5_000)
    openai: OpenAISettings = OpenAISettings()


class LoggingSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["auto", "json", "console"] = "auto"


class ParrotSettings(Section):
    discord: DiscordSettings = DiscordSettings()
    storage: StorageSettings = StorageSettings()
    limits: LimitSettings = LimitSettings()
    speech: SpeechSettings = SpeechSettings()
    model: ModelSettings = ModelSettings()
    logging: LoggingSettings = LoggingSettings()

    @field_validator("discord", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: Any) -> Any:
        if isinstance(value, dict) and value.get("token") in ("", None):
            value = {k: v for k, v in value.items() if k != "token"}
        return value


class ConfigurationError(Exception):
    """Start-up stops with this message; it names the bad key and where it came from."""


def load_settings(config_file: Path | None = None, environ: Mapping[str, str] | None = None) -> ParrotSettings:
    environ = os.environ if environ is None else environ
    path = config_file or Path(environ.get("PARROT_CONFIG", "parrot.toml"))
    raw: dict[str, Any] = {}
    origin: dict[str, str] = {}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text("utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise ConfigurationError(f"configuration file {path} is not valid TOML: {error}") from None
        for section, values in raw.items():
            if isinstance(values, dict):
                for key in values:
                    origin[f"{section}.{key}"] = str(path)
    for variable, (section, key) in _environment_keys().items():
        if variable in environ:
            raw.setdefault(section, {})
            if not isinstance(raw[section], dict):
                raise ConfigurationError(f"{section}: must be a table in {path}")
            _set(raw[section], key, _parse_env(environ[variable], section, key))
            origin[f"{section}.{key}"] = variable
    if "DISCORD_TOKEN" in environ and "PARROT_DISCORD_TOKEN" not in environ:
        raw.setdefault("discord", {})["token"] = environ["DISCORD_TOKEN"]
        origin["discord.token"] = "DISCORD_TOKEN"
    try:
        return ParrotSettings.model_validate(raw)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            key = ".".join(str(part) for part in item["loc"])
            source = origin.get(key) or origin.get(".".join(key.split(".")[:2]), "")
            where = f" (from {source})" if source else ""
            problems.append(f"{key}: {item['msg']}{where}")
        raise ConfigurationError("invalid configuration:\n  " + "\n  ".join(problems)) from None


def _environment_keys() -> dict[str, tuple[str, str]]:
    """PARROT_<SECTION>_<KEY> for every key; nested tables as PARROT_MODEL_OPENAI_BASE_URL."""
    keys: dict[str, tuple[str, str]] = {}
    for section, field in ParrotSettings.model_fields.items():
        model = field.annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
        for key, inner in model.model_fields.items():
            nested = inner.annotation
            if isinstance(nested, type) and issubclass(nested, BaseModel):
                for sub in nested.model_fields:
                    keys[f"PARROT_{section}_{key}_{sub}".upper()] = (section, f"{key}.{sub}")
            else:
                keys[f"PARROT_{section}_{key}".upper()] = (section, key)
    return keys


def _set(table: dict[str, Any], dotted: str, value: Any) -> None:
    head, _, rest = dotted.partition(".")
    if rest:
        _set(table.setdefault(head, {}), rest, value)
    else:
        table[head] = value


def _parse_env(value: str, section: str, key: str) -> Any:
    """Lists come comma-separated; everything else is left to validation, which names the key."""
    field = ParrotSettings.model_fields[section].annotation
    assert isinstance(field, type) and issubclass(field, BaseModel)
    annotation = str(field.model_fields[key.split(".")[0]].annotation)
    if "tuple" in annotation:
        return tuple(item.strip() for item in value.split(",") if item.strip())
    if annotation.startswith("dict"):
        # `123=ru-RU, 456=en-US`; a malformed pair is left for validation to name.
        pairs = [item.partition("=") for item in value.split(",") if item.strip()]
        return {key.strip(): tag.strip() for key, _, tag in pairs} if all(sep for _, sep, _ in pairs) else value
    return value


def masked(settings: ParrotSettings) -> str:
    """The effective configuration as TOML, secrets masked."""
    document = settings.model_dump(mode="json")
    token = settings.discord.token
    document["discord"]["token"] = "********" if token is not None else "(not set)"
    openai = settings.model.openai
    key_set = bool(os.environ.get(openai.api_key_env))
    document["model"]["openai"]["api_key"] = f"******** (from {openai.api_key_env})" if key_set else "(not set)"
    lines: list[str] = []
    _toml(document, [], lines)
    return "\n".join(lines)


def _toml(table: dict[str, Any], path: list[str], lines: list[str]) -> None:
    scalars = {k: v for k, v in table.items() if not isinstance(v, dict)}
    if path:
        lines.append(f"\n[{'.'.join(path)}]")
    for key, value in scalars.items():
        lines.append(f"# {key} is not set" if value is None else f"{key} = {_toml_value(value)}")
    for key, value in table.items():
        if isinstance(value, dict):
            _toml(value, [*path, key], lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
