"""Configuration: validated at start-up, errors name the key, secrets never shown."""

import logging
import subprocess
import sys
from pathlib import Path

import pytest
import structlog

from adapters.config.settings import ConfigurationError, load_settings, masked
from adapters.logs.setup import configure_logging
from support.shared_data import PROJECT_ROOT
from tests import secrets


def test_defaults_work_offline_without_a_file() -> None:
    settings = load_settings(Path("/nonexistent/parrot.toml"), environ={})
    assert settings.discord.token is None
    assert (settings.speech.stt, settings.speech.tts, settings.model.backend) == ("whisper", "auto", "hybrid")
    assert settings.storage.instructions.is_file()


def test_file_then_environment_then_discord_token(tmp_path: Path) -> None:
    config = tmp_path / "parrot.toml"
    config.write_text('[speech]\nstt = "sphinx"\nlanguage = "ru-RU"\n[discord]\nprefix = "?"\n')
    settings = load_settings(
        config,
        environ={
            "PARROT_SPEECH_STT": "google",
            "PARROT_DISCORD_PRIVILEGED_ROLES": "trainer, mod",
            "PARROT_DISCORD_API_BASE": "http://127.0.0.1:8080/api/v10",
            "PARROT_MODEL_OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
            "PARROT_SPEECH_GUILD_LANGUAGES": "123=ru-RU, 456=en-GB",
            "DISCORD_TOKEN": secrets.DISCORD_TOKEN,
        },
    )
    assert settings.speech.stt == "google" and settings.speech.language == "ru-RU"
    assert settings.discord.prefix == "?" and settings.discord.privileged_roles == ("trainer", "mod")
    assert settings.discord.api_base == "http://127.0.0.1:8080/api/v10"
    assert settings.model.openai.base_url == "http://127.0.0.1:9/v1"
    assert settings.speech.guild_languages == {123: "ru-RU", 456: "en-GB"}
    assert settings.discord.token is not None and settings.discord.token.get_secret_value() == secrets.DISCORD_TOKEN


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        (
            {"PARROT_SPEECH_STT": "nope"},
            "speech.stt: Input should be 'whisper', 'sphinx' or 'google' (from PARROT_SPEECH_STT)",
        ),
        (
            {"PARROT_LIMITS_FILE_MB": "-1"},
            "limits.file_mb: Input should be greater than 0 (from PARROT_LIMITS_FILE_MB)",
        ),
        ({"PARROT_SPEECH_LANGUAGE": "english!"}, "speech.language: String should match pattern"),
        (
            {"PARROT_DISCORD_ALLOW_DIRECT_MESSAGES": "perhaps"},
            "discord.allow_direct_messages: Input should be a valid boolean",
        ),
        ({"PARROT_LISTEN_END_OF_TURN": "guess"}, "listen.end_of_turn: Input should be 'model' or 'silence'"),
        ({"PARROT_LISTEN_PAUSE_MS": "700"}, "pause_ms (700) must be shorter than silence_ms (600)"),
    ],
)
def test_a_bad_value_names_its_key_and_source(environ: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        load_settings(Path("/nonexistent.toml"), environ=environ)
    assert named in str(error.value)


def test_turns_end_after_the_silence_heard_from_the_short_pause_by_default() -> None:
    listen = load_settings(Path("/nonexistent/parrot.toml"), environ={}).listen
    assert (listen.end_of_turn, listen.pause_ms, listen.silence_ms) == ("silence", 200, 600)


def test_an_unknown_key_in_the_file_is_named(tmp_path: Path) -> None:
    config = tmp_path / "parrot.toml"
    config.write_text('[speech]\nsst = "whisper"\n')
    with pytest.raises(
        ConfigurationError, match=r"speech\.sst: Extra inputs are not permitted \(from .*parrot\.toml\)"
    ):
        load_settings(config, environ={})


def test_the_effective_configuration_masks_the_token() -> None:
    settings = load_settings(Path("/nonexistent.toml"), environ={"DISCORD_TOKEN": secrets.DISCORD_TOKEN})
    shown = masked(settings)
    assert secrets.DISCORD_TOKEN not in shown and 'token = "********"' in shown
    assert secrets.DISCORD_TOKEN not in repr(settings) and secrets.DISCORD_TOKEN not in str(settings)


def test_the_effective_configuration_masks_credentials_inside_urls() -> None:
    settings = load_settings(
        Path("/nonexistent.toml"),
        environ={
            "PARROT_DISCORD_API_BASE": f"http://admin:{secrets.OPENAI_API_KEY}@127.0.0.1:8080/api/v10",
            "PARROT_MODEL_OPENAI_BASE_URL": f"https://{secrets.OPENAI_API_KEY}@llm.example:8443/v1",
            "PARROT_SPEECH_GOOGLE_ENDPOINT": f"https://speech.example/v1?key={secrets.OPENAI_API_KEY}&lang=en",
        },
    )
    shown = masked(settings)
    assert secrets.OPENAI_API_KEY not in shown and "admin" not in shown
    assert 'api_base = "http://***@127.0.0.1:8080/api/v10"' in shown
    assert 'base_url = "https://***@llm.example:8443/v1"' in shown
    assert 'google_endpoint = "https://speech.example/v1?key=***&lang=en"' in shown


def test_parrot_config_command_prints_no_secret_and_a_bad_value_stops_start_up(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "DISCORD_TOKEN": secrets.DISCORD_TOKEN,
        "PARROT_CONFIG": str(tmp_path / "none.toml"),
    }
    shown = subprocess.run(
        [sys.executable, "-m", "cli", "config"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert secrets.DISCORD_TOKEN not in shown.stdout + shown.stderr
    assert "[speech]" in shown.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "cli", "chat"],
        cwd=PROJECT_ROOT,
        env=env | {"PARROT_SPEECH_TTS": "robot"},
        capture_output=True,
        text=True,
        input="",
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("parrot: invalid configuration:\n  speech.tts: Input should be")
    assert "Traceback" not in bad.stderr


def test_known_secrets_are_redacted_from_every_log_line_as_a_last_defence() -> None:
    import io

    stream = io.StringIO()
    configure_logging("INFO", "json", secrets=[secrets.DISCORD_TOKEN], stream=stream)
    try:
        structlog.get_logger("t").info("connecting", token=secrets.DISCORD_TOKEN, nested={"k": [secrets.DISCORD_TOKEN]})
        logging.getLogger("discord.http").warning("header Authorization: Bot %s", secrets.DISCORD_TOKEN)
    finally:
        from tests.conftest import SESSION_LOG

        configure_logging("DEBUG", "json", secrets=(), stream=SESSION_LOG)
    assert secrets.DISCORD_TOKEN not in stream.getvalue()
    assert stream.getvalue().count("********") == 3


def test_configuring_logging_again_reaches_loggers_already_used() -> None:
    import io

    log = structlog.get_logger("parrot.test.already_used")
    configure_logging("INFO", "json", secrets=(), stream=io.StringIO())
    try:
        log.info("first use")  # assembles and caches this logger
        configure_logging("INFO", "json", secrets=(), stream=io.StringIO())
        with structlog.testing.capture_logs() as logs:
            log.warning("after configuring again")
    finally:
        from tests.conftest import SESSION_LOG

        configure_logging("DEBUG", "json", secrets=(), stream=SESSION_LOG)
    assert [entry["event"] for entry in logs] == ["after configuring again"]


def test_the_review_page_is_off_by_default_and_configured_by_environment() -> None:
    assert load_settings(Path("/nonexistent/parrot.toml"), environ={}).web.port is None
    settings = load_settings(
        Path("/nonexistent/parrot.toml"),
        environ={
            "PARROT_WEB_PORT": "8080",
            "PARROT_WEB_DISCORD_CLIENT_ID": "123",
            "PARROT_WEB_DISCORD_CLIENT_SECRET": "oauth-client-secret-value",
        },
    )
    web = settings.web
    assert (web.port, web.host, web.oauth_configured) == (8080, "127.0.0.1", True)
    shown = masked(settings)
    assert "oauth-client-secret-value" not in shown and 'discord_client_secret = "********"' in shown
    with pytest.raises(ConfigurationError, match=r"web\.port.*PARROT_WEB_PORT"):
        load_settings(Path("/nonexistent/parrot.toml"), environ={"PARROT_WEB_PORT": "70000"})


@pytest.mark.parametrize("output_format", ["json", "console"])
def test_credentials_inside_urls_are_masked_in_every_log_line(output_format: str) -> None:
    import io

    key = secrets.OPENAI_API_KEY
    stream = io.StringIO()
    configure_logging("INFO", output_format, secrets=(), stream=stream)
    try:
        log = structlog.get_logger("t")
        log.info("calling", url=f"https://admin:{key}@llm.example/v1", nested={"k": [f"http://h/?key={key}"]})
        log.warning(f"server at admin:{key}@127.0.0.1:9 failed")
        logging.getLogger("aiohttp.client").warning("GET %s failed", f"https://h.example/?token={key}")
        try:
            raise ConnectionError(f"cannot reach https://u:{key}@h.example/")
        except ConnectionError as error:
            log.exception("request failed", error=error)
    finally:
        from tests.conftest import SESSION_LOG

        configure_logging("DEBUG", "json", secrets=(), stream=SESSION_LOG)
    written = stream.getvalue()
    assert key not in written and "admin:" not in written
    assert written.count("***@") >= 4 and "token=***" in written and "key=***" in written


def test_speech_models_live_in_the_users_cache_once_per_machine(tmp_path: Path) -> None:
    # Every data root shares one copy of the speech models (145 MB for Whisper), wherever the data lives.
    first = load_settings(environ={"PARROT_STORAGE_DATA_ROOT": str(tmp_path / "one")})
    second = load_settings(environ={"PARROT_STORAGE_DATA_ROOT": str(tmp_path / "two")})
    xdg = {"XDG_CACHE_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path / "home")}
    assert first.speech_cache_dir(xdg) == second.speech_cache_dir(xdg) == tmp_path / "xdg" / "parrot" / "speech"
    # Without XDG_CACHE_HOME (or with a relative one, which the XDG specification ignores): ~/.cache.
    home = tmp_path / "home" / ".cache" / "parrot" / "speech"
    assert first.speech_cache_dir({"HOME": str(tmp_path / "home")}) == home
    assert first.speech_cache_dir({"XDG_CACHE_HOME": "relative", "HOME": str(tmp_path / "home")}) == home
    # `speech.cache_dir` still chooses another folder.
    chosen = load_settings(environ={"PARROT_SPEECH_CACHE_DIR": str(tmp_path / "models")})
    assert chosen.speech_cache_dir(xdg) == tmp_path / "models"


def test_the_database_is_a_sqlite_file_under_the_data_root_unless_a_url_is_set(tmp_path: Path) -> None:
    config = tmp_path / "parrot.toml"
    config.write_text(f'[storage]\ndata_root = "{tmp_path / "data"}"\n')
    assert load_settings(config, environ={}).storage.database_url == f"sqlite+aiosqlite:///{tmp_path}/data/parrot.db"
    assert load_settings(Path("/nonexistent.toml"), environ={}).storage.database_url == (
        "sqlite+aiosqlite:///data/parrot.db"
    )
    url = "postgresql+asyncpg://parrot@127.0.0.1:5432/parrot"
    chosen = load_settings(config, environ={"PARROT_STORAGE_DATABASE_URL": url})
    assert chosen.storage.database_url == url


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("mysql://parrot@db/parrot", "must start with sqlite+aiosqlite:// or postgresql+asyncpg://"),
        ("postgresql://parrot@db/parrot", "must start with sqlite+aiosqlite:// or postgresql+asyncpg://"),
        ("sqlite+aiosqlite:///:memory:", "needs a file"),
    ],
)
def test_a_database_url_of_an_unknown_driver_is_named_at_start_up_without_its_password(url: str, named: str) -> None:
    password_url = url.replace("parrot@", f"parrot:{secrets.OPENAI_API_KEY}@")
    with pytest.raises(ConfigurationError) as error:
        load_settings(Path("/nonexistent.toml"), environ={"PARROT_STORAGE_DATABASE_URL": password_url})
    assert f"storage.database_url: Value error, {named}" in str(error.value)
    assert "(from PARROT_STORAGE_DATABASE_URL)" in str(error.value)
    assert secrets.OPENAI_API_KEY not in str(error.value)


def test_the_database_password_is_masked_in_the_configuration_and_in_log_lines() -> None:
    import io

    url = f"postgresql+asyncpg://parrot:{secrets.OPENAI_API_KEY}@127.0.0.1:5432/parrot"
    settings = load_settings(Path("/nonexistent.toml"), environ={"PARROT_STORAGE_DATABASE_URL": url})
    shown = masked(settings)
    assert secrets.OPENAI_API_KEY not in shown
    assert 'database_url = "postgresql+asyncpg://***@127.0.0.1:5432/parrot"' in shown
    stream = io.StringIO()
    configure_logging("INFO", "json", secrets=(), stream=stream)
    try:
        structlog.get_logger("t").info("database opened", url=settings.storage.database_url)
    finally:
        from tests.conftest import SESSION_LOG

        configure_logging("DEBUG", "json", secrets=(), stream=SESSION_LOG)
    assert secrets.OPENAI_API_KEY not in stream.getvalue() and "postgresql+asyncpg://***@127.0.0.1" in stream.getvalue()
