"""Parrot's configuration: `parrot.toml`, then `DISCORD_TOKEN`, then `PARROT_*` environment variables.

Validated once at start-up; an invalid value stops the bot with a message naming its key.
"""

import os
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import EnvSettingsSource, NoDecode, TomlConfigSettingsSource

from application.chat.limits import MB, RequestLimits
from application.chat.permissions import PrivilegePolicy
from domain.redaction import mask_urls_deep

DEFAULT_INSTRUCTIONS = Path(__file__).resolve().parent / "instructions.md"


LanguageTag = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")]


def comma_list(value: Any) -> Any:
    """An environment variable's `a, b` as a list; values from TOML arrive as lists already."""
    if isinstance(value, str):
        return tuple(item.strip() for item in value.split(",") if item.strip())
    return value


def comma_pairs(value: Any) -> Any:
    """`123=ru-RU, 456=en-US` as a table; a malformed pair is left for validation to name."""
    if not isinstance(value, str):
        return value
    pairs = [item.partition("=") for item in value.split(",") if item.strip()]
    return {key.strip(): tag.strip() for key, _, tag in pairs} if all(sep for _, sep, _ in pairs) else value


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DiscordSettings(Section):
    token: SecretStr | None = None
    prefix: str = Field(default="!", min_length=1, max_length=5)
    api_base: str | None = None
    gateway_url: str | None = None
    voice_ca_file: Path | None = None
    guild_ready_timeout: float = Field(default=2.0, gt=0, le=60)
    download_seconds: float = Field(default=30.0, gt=0, le=600)
    privileged_roles: Annotated[tuple[str, ...], NoDecode] = ()
    allow_direct_messages: bool = True
    owner_ids: Annotated[tuple[int, ...], NoDecode] = ()
    # Several processes share one bot account: each runs the shards listed (docs/several-machines.md).
    shard_count: int | None = Field(default=None, ge=1, le=10_000)
    shard_ids: Annotated[tuple[Annotated[int, Field(ge=0)], ...], NoDecode] = ()

    @field_validator("privileged_roles", "owner_ids", "shard_ids", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return comma_list(value)

    @model_validator(mode="after")
    def _shards_fit(self) -> "DiscordSettings":
        if self.shard_ids and self.shard_count is None:
            raise ValueError("shard_ids needs shard_count (how many shards the bot has in all)")
        if self.shard_count is not None and any(shard >= self.shard_count for shard in self.shard_ids):
            raise ValueError(f"shard_ids must each be below shard_count ({self.shard_count})")
        if len(set(self.shard_ids)) != len(self.shard_ids):
            raise ValueError("shard_ids lists a shard twice")
        return self

    def shards(self) -> tuple[int, ...]:
        """The shards this process runs: those listed, or every one of shard_count."""
        if self.shard_count is None:
            return ()
        return self.shard_ids or tuple(range(self.shard_count))

    def privilege_policy(self) -> PrivilegePolicy:
        return PrivilegePolicy(frozenset(self.privileged_roles), self.allow_direct_messages)


DATABASE_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")


def default_database_url(data_root: Path) -> str:
    """One SQLite file beside the spaces' folders: what a fresh install keeps its records in."""
    return f"sqlite+aiosqlite:///{data_root / 'parrot.db'}"


class StorageSettings(Section):
    data_root: Path = Path("data")
    instructions: Path = DEFAULT_INSTRUCTIONS
    # Users' records: SQLite under the data root unless set; `postgresql+asyncpg://...` when Parrot spans machines.
    database_url: str = ""

    @model_validator(mode="before")
    @classmethod
    def _database_beside_the_data(cls, value: Any) -> Any:
        if isinstance(value, dict) and not value.get("database_url"):
            value = {**value, "database_url": default_database_url(Path(value.get("data_root") or "data"))}
        return value

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        driver, separator, rest = value.partition("://")
        if not separator or driver not in DATABASE_DRIVERS or not rest:
            # The URL is not echoed: it may hold a password.
            raise ValueError(f"must start with {' or '.join(f'{name}://' for name in DATABASE_DRIVERS)}")
        if driver.startswith("sqlite") and rest in ("/", "/:memory:"):
            raise ValueError("needs a file: an in-memory SQLite database is lost at exit and not shared")
        return value


class LimitSettings(Section):
    attachment_mb: float = Field(default=25.0, gt=0, le=500)
    audio_seconds: float = Field(default=600.0, gt=0, le=7200)
    dataset_mb: float = Field(default=20.0, gt=0, le=500)
    file_mb: float = Field(default=8.0, gt=0, le=500)
    archive_mb: float = Field(default=8.0, gt=0, le=500)
    archive_entries: int = Field(default=1000, gt=0, le=100_000)
    archives_kept: int = Field(default=5, ge=1, le=1000)
    feedback_chars: int = Field(default=2000, gt=0, le=20_000)
    heavy_jobs_running: int = Field(default=2, ge=1, le=64)
    heavy_jobs_waiting: int = Field(default=16, ge=0, le=10_000)
    answer_seconds: float = Field(default=15.0, gt=0, le=600)
    hearing_seconds: float = Field(default=180.0, gt=0, le=3600)
    # Every plain message is looked up among a space's corrections: anyone may add them, so each member's are capped.
    corrections_per_member_per_day: int = Field(default=50, ge=0, le=10_000)

    def request_limits(self) -> RequestLimits:
        """The same limits in the units the use cases count in (bytes, not megabytes)."""
        return RequestLimits(
            attachment_bytes=int(self.attachment_mb * MB),
            audio_seconds=self.audio_seconds,
            dataset_bytes=int(self.dataset_mb * MB),
            file_bytes=int(self.file_mb * MB),
            archive_bytes=int(self.archive_mb * MB),
            archive_entries=self.archive_entries,
            feedback_chars=self.feedback_chars,
            heavy_running=self.heavy_jobs_running,
            heavy_waiting=self.heavy_jobs_waiting,
            answer_seconds=self.answer_seconds,
            hearing_seconds=self.hearing_seconds,
            corrections_per_member_per_day=self.corrections_per_member_per_day,
        )


class SpeechSettings(Section):
    stt: Literal["whisper", "sphinx", "google"] = "whisper"
    stt_fallback: Annotated[tuple[Literal["whisper", "sphinx", "google"], ...], NoDecode] = ()
    # auto: Piper for English, Festival for Russian where it is installed (else eSpeak NG), eSpeak NG for the rest.
    tts: Literal["auto", "piper", "espeak", "festival", "gtts"] = "auto"
    language: LanguageTag = "en-US"
    # The languages Parrot hears: the recogniser detects among them (skipped when there is one).
    languages: Annotated[tuple[LanguageTag, ...], NoDecode] = Field(default=("en", "ru"), min_length=1)
    guild_languages: Annotated[dict[int, LanguageTag], NoDecode] = {}
    detect_language: bool = False
    load_at_startup: bool = False
    # Where speech models are assembled; unset, the user's cache (`$XDG_CACHE_HOME/parrot/speech`), one per machine.
    cache_dir: Path | None = None
    timeout_seconds: float = Field(default=15.0, gt=0, le=300)
    voice_idle_seconds: float = Field(default=300.0, gt=0, le=86_400)
    google_endpoint: str | None = None
    google_api_key_env: str = "PARROT_GOOGLE_SPEECH_KEY"
    gtts_endpoint: str | None = None

    @field_validator("stt_fallback", "languages", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return comma_list(value)

    @field_validator("guild_languages", mode="before")
    @classmethod
    def _pairs(cls, value: Any) -> Any:
        return comma_pairs(value)

    def google_api_key(self) -> str | None:
        """Read from the environment when the recogniser is built, so the key never sits in the settings."""
        return os.environ.get(self.google_api_key_env) or None


class ListenSettings(Section):
    """Hearing voice channels (`listen on`): off everywhere until an admin turns it on."""

    wake_name: str = Field(default="Parrot", max_length=40)
    # How a turn ends. `model`: after a short pause (`pause_ms`) an end-of-turn model (Smart Turn v3.2) judges
    # whether the member has finished; if not, the turn waits for more speech, up to `silence_ms` of silence.
    # `silence`: `silence_ms` only. Either way the turn is heard from the short pause on, and that hearing is
    # dropped if the member goes on speaking. `silence` is the default because the model ended about twice as
    # many sentences early at spliced mid-sentence pauses (bench/turns.py: 47-51 of 63 against 24).
    end_of_turn: Literal["model", "silence"] = "silence"
    pause_ms: int = Field(default=200, ge=60, le=5000)
    silence_ms: int = Field(default=600, ge=100, le=5000)
    min_seconds: float = Field(default=0.4, ge=0, le=10)
    max_seconds: float = Field(default=30.0, gt=0, le=120)
    barge_in: bool = True
    transcript_channel_id: int | None = None
    keepalive_seconds: float = Field(default=20.0, gt=0, le=55)
    max_speakers: int = Field(default=10, ge=1, le=100)

    @model_validator(mode="after")
    def _pause_before_silence(self) -> "ListenSettings":
        if self.pause_ms >= self.silence_ms:
            raise ValueError(
                f"pause_ms ({self.pause_ms}) must be shorter than silence_ms ({self.silence_ms}), "
                "which ends a turn at the latest"
            )
        return self


class OpenAISettings(Section):
    base_url: str = "http://127.0.0.1:11434/v1"
    model: str = "gpt-4o-mini"
    api_key_env: str = "OPENAI_API_KEY"
    timeout_seconds: float = Field(default=30.0, gt=0, le=600)


class ModelSettings(Section):
    # hybrid = the embedded model plus TF-IDF, weighted on held-out data: best on every benchmark (bench/model.py).
    backend: Literal["embedded", "tfidf", "hybrid", "openai"] = "hybrid"
    # The sentence encoder of `embedded` and `hybrid` (figures: bench/model.py --languages). `minilm+use` (default):
    # English all-MiniLM-L6-v2 beside multilingual USE v3, each with its own regression, MiniLM's left out on
    # Russian: near MiniLM in English, and a model trained in English answers Russian and the reverse. `minilm`:
    # English only, fastest to train. `use` (USE alone) and `e5` (multilingual-e5-small, slowest): bilingual.
    encoder: Literal["minilm", "e5", "use", "minilm+use"] = "minilm+use"
    threshold: float | None = Field(default=None, ge=0, le=1)
    min_examples_per_intent: int = Field(default=2, ge=1, le=1000)
    max_examples: int = Field(default=50_000, ge=1, le=1_000_000)
    # Starter knowledge: answers untrained spaces (adapters/datasets/starter.yml); `!train` replaces it, or keeps it
    # with `--with-starter` or `keep_starter`. tfidf builds it in seconds at start-up (hybrid takes ~20 s).
    starter: bool = True
    starter_backend: Literal["embedded", "tfidf", "hybrid"] = "tfidf"
    keep_starter: bool = False
    # Local backends' cost grows with intents (bench/model.py --worst-case): refused above this many.
    max_intents: int = Field(default=500, ge=2, le=5_000)
    openai: OpenAISettings = OpenAISettings()

    def threshold_or(self, default: float) -> float:
        """The configured confidence threshold, or the backend's own default."""
        return self.threshold if self.threshold is not None else default


class WorkSettings(Section):
    """Where heavy work runs: `local` (this process, the default) or `redis` (`parrot worker` processes)."""

    queue: Literal["local", "redis"] = "local"
    redis_url: str = Field(default="redis://127.0.0.1:6379/0", pattern=r"^rediss?://")
    concurrency: int = Field(default=2, ge=1, le=64)
    max_payload_mb: float = Field(default=40.0, gt=0, le=500)
    # How long a training or a test may run, in this process or on a worker; past it the user is told, and the
    # active model is unchanged (the bot stops waiting and takes the job off the queue; the fit is stopped).
    train_seconds: float = Field(default=1800.0, gt=0, le=86_400)
    test_seconds: float = Field(default=1800.0, gt=0, le=86_400)

    def max_payload_bytes(self) -> int:
        return int(self.max_payload_mb * MB)


class LoggingSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["auto", "json", "console"] = "auto"


class WebSettings(Section):
    """The review page: off unless `port` is set; OAuth2 is used when a client id and secret are given."""

    port: int | None = Field(default=None, ge=1, le=65535)
    host: str = "127.0.0.1"
    public_url: str | None = None
    discord_client_id: str | None = None
    discord_client_secret: SecretStr | None = None
    # Where the OAuth2 endpoints live; else `discord.api_base`, else Discord's own.
    discord_api_base: str | None = None
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    # The review inbox keeps this many of the newest entries per server on disk (review.jsonl).
    inbox_size: int = Field(default=1000, ge=10, le=100_000)

    @property
    def oauth_configured(self) -> bool:
        return bool(self.discord_client_id and self.discord_client_secret)


class ParrotSettings(Section):
    discord: DiscordSettings = DiscordSettings()
    storage: StorageSettings = StorageSettings()
    limits: LimitSettings = LimitSettings()
    speech: SpeechSettings = SpeechSettings()
    listen: ListenSettings = ListenSettings()
    model: ModelSettings = ModelSettings()
    work: WorkSettings = WorkSettings()
    logging: LoggingSettings = LoggingSettings()
    web: WebSettings = WebSettings()

    def speech_cache_dir(self, environ: Mapping[str, str] | None = None) -> Path:
        # The speech models are the same for every data root: one copy per machine (145 MB for Whisper base).
        return self.speech.cache_dir or user_cache_dir(environ) / "speech"

    @field_validator("discord", mode="before")
    @classmethod
    def _empty_token_is_none(cls, value: Any) -> Any:
        if isinstance(value, dict) and value.get("token") in ("", None):
            value = {k: v for k, v in value.items() if k != "token"}
        return value


def user_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Parrot's folder in the user's cache: `$XDG_CACHE_HOME/parrot`, else `~/.cache/parrot`.

    The XDG base directory specification ignores a relative `XDG_CACHE_HOME`, and so does this.
    """
    environ = os.environ if environ is None else environ
    configured = environ.get("XDG_CACHE_HOME", "")
    if configured and Path(configured).is_absolute():
        return Path(configured) / "parrot"
    home = environ.get("HOME")
    return (Path(home) if home else Path.home()) / ".cache" / "parrot"


class ConfigurationError(Exception):
    """Start-up stops with this message; it names the bad key and where it came from."""


def load_settings(config_file: Path | None = None, environ: Mapping[str, str] | None = None) -> ParrotSettings:
    """pydantic-settings' sources, lowest first: the TOML file, `DISCORD_TOKEN`, then `PARROT_*` variables."""
    environ = os.environ if environ is None else environ
    path = config_file or Path(environ.get("PARROT_CONFIG", "parrot.toml"))
    try:
        from_file = TomlConfigSettingsSource(ParrotSettings, toml_file=path)()  # type: ignore[arg-type]
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"configuration file {path} is not valid TOML: {error}") from None
    origin = _origins(from_file, lambda section, keys: str(path))
    from_environment: dict[str, Any] = {}
    for section, field in ParrotSettings.model_fields.items():
        model = field.annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
        # Nested tables one level down: PARROT_MODEL_OPENAI_BASE_URL is model.openai.base_url.
        values = _Environment(model, environ, env_prefix=f"PARROT_{section}_".upper())()
        if not values:
            continue
        if section in from_file and not isinstance(from_file[section], dict):
            raise ConfigurationError(f"{section}: must be a table in {path}")
        from_environment[section] = values
    origin |= _origins(from_environment, lambda section, keys: "_".join(["PARROT", section, *keys]).upper())
    # The name Discord's own documentation uses; PARROT_DISCORD_TOKEN wins when both are set.
    legacy = _Environment(_LegacyToken, environ, env_prefix="")()
    if "discord_token" in legacy and "PARROT_DISCORD_TOKEN" not in environ:
        from_environment.setdefault("discord", {})["token"] = legacy["discord_token"]
        origin["discord.token"] = "DISCORD_TOKEN"
    raw = _merged(from_file, from_environment)
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


def _merged(lower: Mapping[str, Any], higher: Mapping[str, Any]) -> dict[str, Any]:
    """`higher`'s values over `lower`'s, table by table (as pydantic-settings merges its sources)."""
    merged = dict(lower)
    for key, value in higher.items():
        below = merged.get(key)
        merged[key] = _merged(below, value) if isinstance(below, dict) and isinstance(value, dict) else value
    return merged


class _LegacyToken(BaseModel):
    discord_token: str | None = None


class _Environment(EnvSettingsSource):
    """The environment source over a given mapping (tests pass their own), names matched case-insensitively."""

    def __init__(self, model: type[BaseModel], environ: Mapping[str, str], *, env_prefix: str) -> None:
        self._environ = environ
        super().__init__(
            model,  # type: ignore[arg-type]
            case_sensitive=False,
            env_prefix=env_prefix,
            env_nested_delimiter="_",
            env_nested_max_split=1,
        )

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {name.lower(): value for name, value in self._environ.items()}


def _origins(tables: Mapping[str, Any], name: Callable[[str, list[str]], str]) -> dict[str, str]:
    """Where each `section.key` (and `section.table.key`) came from, to name it in an error."""
    origin: dict[str, str] = {}
    for section, values in tables.items():
        if not isinstance(values, dict):
            continue
        for key, value in values.items():
            origin[f"{section}.{key}"] = name(section, [key])
            if isinstance(value, dict):
                for sub in value:
                    origin[f"{section}.{key}.{sub}"] = name(section, [key, sub])
    return origin


def masked(settings: ParrotSettings) -> str:
    """The effective configuration as TOML, secrets masked."""
    # URLs may carry credentials (`user:password@`, `?key=`): shown masked, like the token.
    document = mask_urls_deep(settings.model_dump(mode="json"))
    token = settings.discord.token
    document["discord"]["token"] = "********" if token is not None else "(not set)"
    openai = settings.model.openai
    key_set = bool(os.environ.get(openai.api_key_env))
    document["model"]["openai"]["api_key"] = f"******** (from {openai.api_key_env})" if key_set else "(not set)"
    secret = settings.web.discord_client_secret
    document["web"]["discord_client_secret"] = "********" if secret is not None else None
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
