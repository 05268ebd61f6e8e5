"""The `parrot` command line: read the settings, build the container for the chosen driver, run it, shut down."""

import argparse
import asyncio
import getpass
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import structlog

from adapters.config.settings import (
    ConfigurationError,
    DiscordSettings,
    ListenSettings,
    ParrotSettings,
    load_settings,
    masked,
)
from adapters.logs.setup import configure_logging, open_log_file
from adapters.speech.container import unmet_requirement
from application.ports.work import ShardsTaken, WorkQueueUnreachable
from bootstrap import Container, build_container, build_worker

if TYPE_CHECKING:
    from adapters.database.engine import Database
    from adapters.discord import DiscordConfig, ParrotBot
    from adapters.discord.listening.options import ListeningOptions
    from adapters.storage.layout import SpaceLayout
    from adapters.web import GuildDirectory, WebServer
    from adapters.work.shards import ShardClaim
    from application.ports.chat import AttachmentSource, ChatOutput


# --- the application's lifecycle ---------------------------------------------------------------


async def settle(container: Container) -> None:
    """Wait until every job, every queued utterance and every speech warm-up is done."""
    await container.learning.runner().wait_idle()
    await container.voice.voice_sessions().wait_idle()
    await container.voice.warm_up().wait_idle()


async def warm_up(container: Container) -> None:
    """Load the speech models now instead of on first use (`speech.load_at_startup`)."""
    print("parrot: loading the speech models (the first time, Whisper is assembled from its packages)", file=sys.stderr)
    await container.speech.stt().warm_up()
    await container.speech.tts().warm_up()


async def open_records(container: Container) -> bool:
    """Bring the database's schema up to date before anything reads a store; False (the reason printed on one
    line) when the database cannot be opened or migrated."""
    from adapters.database.engine import DatabaseUnavailable

    database = container.database.database()
    try:
        migrated = await database.start()
    except DatabaseUnavailable as error:
        print(f"parrot: {error}", file=sys.stderr)
        await database.close()
        return False
    log = structlog.get_logger("parrot.database")
    log.info("database ready", url=database.masked_url, revision=migrated.after, migrated_from=migrated.before)
    # A data root written before the database: its records are imported once, before the bot connects.
    if not await move_in(database, container.database.layout()):
        await database.close()
        return False
    return True


async def start_work(container: Container) -> bool:
    """Connect the work queue; False (the reason printed on one line) when it cannot be reached."""
    try:
        await container.work.work_queue().start()
    except WorkQueueUnreachable as error:
        print(f"parrot: {error}", file=sys.stderr)
        return False
    return True


def prepare_starter(container: Container) -> "asyncio.Task[None]":
    """Build (or load from the cache) the starter model in the background, so the first message does not wait."""
    return asyncio.create_task(container.learning.starter().prepare(), name="starter")


async def finish_starter(task: "asyncio.Task[None]", deadline: float = 60.0) -> None:
    """Let a starter build in progress end before shutting down: a fit cut off in a worker process can leave the
    process pool's shutdown waiting forever. Past `deadline` it is cancelled all the same."""
    try:
        await asyncio.wait_for(asyncio.shield(task), deadline)
    except TimeoutError:
        task.cancel()
    except Exception:  # noqa: S110 - a failed build is logged where it fails; shutting down goes on
        pass


async def stop_jobs(container: Container) -> None:
    """Cancel the running jobs now; each tells its user it was cancelled. A driver calls it while still connected."""
    await container.learning.runner().shutdown(0.0)


async def shutdown(container: Container, deadline: float = 30.0) -> None:
    """Let running jobs finish within `deadline` (then cancel them), stop speaking, free the workers."""
    await container.learning.runner().shutdown(deadline)
    await container.voice.warm_up().close()
    await container.voice.voice_sessions().close()
    await container.work.work_queue().close()
    await container.database.database().close()
    container.shutdown_resources()


# --- the review page, served beside either driver when `web.port` is set --------------------------


def web_ports(
    settings: ParrotSettings, chat: "ChatOutput", attachments: "AttachmentSource"
) -> tuple["ChatOutput", "AttachmentSource"]:
    """The driver's chat and attachments, wrapped so the page can send commands too (unchanged when it is off)."""
    if settings.web.port is None:
        return chat, attachments
    from adapters.web import WebAttachments, WebChat

    return WebChat(chat, settings.discord.prefix), WebAttachments(attachments)


async def start_web(
    settings: ParrotSettings,
    container: Container,
    chat: object,
    attachments: object,
    directory: "GuildDirectory",
    local: bool,
) -> "WebServer | None":
    """Serve the review page, and print its one-time login link in the local chat or without OAuth2."""
    from adapters.web import Identity, WebAttachments, WebChat, build_server

    web = settings.web
    if web.port is None or not isinstance(chat, WebChat) or not isinstance(attachments, WebAttachments):
        return None
    server = build_server(
        host=web.host,
        port=web.port,
        bus=container.bus(),
        chat=chat,
        attachments=attachments,
        queries=container.web.queries(),
        directory=directory,
        policy=container.policy(),
        session_hours=web.session_hours,
        max_upload_bytes=container.limits().dataset_bytes,
        public_url=web.public_url,
        client_id=web.discord_client_id,
        client_secret=web.discord_client_secret.get_secret_value() if web.discord_client_secret else None,
        api_base=web.discord_api_base or settings.discord.api_base,
    )
    await server.start()
    if local or not web.oauth_configured:
        # Whoever reads this process's standard error runs the bot: they may review every server it is in.
        # The local chat logs to a file, which gets the line too; on Discord the log is standard error itself.
        identity = Identity(user_id=1 if local else 0, name=getpass.getuser(), guilds=None)
        server.login_line(identity, log_link=local)
        # Each link opens one session; `kill -USR1 PID` prints a new one without a restart.
        on_signal_for_a_new_link(lambda: server.login_line(identity, log_link=local))
    return server


def on_signal_for_a_new_link(print_link: Callable[[], object]) -> None:
    if not hasattr(signal, "SIGUSR1"):
        return  # not on this system: restart for a new link
    try:
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, print_link)
    except (NotImplementedError, RuntimeError, ValueError):
        return  # no signals in this loop (or not the main thread): restart for a new link


# --- the Discord driver, given its parts here ------------------------------------------------------


def discord_config(discord: DiscordSettings, listen: ListenSettings | None = None) -> "DiscordConfig":
    from adapters.discord import DiscordConfig

    return DiscordConfig(
        prefix=discord.prefix,
        api_base=discord.api_base,
        gateway_url=discord.gateway_url,
        voice_ca_file=discord.voice_ca_file,
        guild_ready_timeout=discord.guild_ready_timeout,
        owner_ids=frozenset(discord.owner_ids),
        download_seconds=discord.download_seconds,
        shard_count=discord.shard_count,
        shard_ids=discord.shard_ids,
        listening=listening_options(listen or ListenSettings()),
    )


def listening_options(listen: ListenSettings) -> "ListeningOptions":
    """Raises ModelMissing when the end-of-turn model is chosen and not installed (checked at start-up)."""
    from adapters.discord.listening.options import HearingLimits, ListeningOptions, TurnRules
    from adapters.speech.model_files import smart_turn_file
    from adapters.speech.smart_turn import SmartTurn

    model = listen.end_of_turn == "model"
    return ListeningOptions(
        rules=TurnRules(
            pause_seconds=listen.pause_ms / 1000,  # hearing starts there either way; only the model may end the turn
            silence_seconds=listen.silence_ms / 1000,
            min_seconds=listen.min_seconds,
            max_seconds=listen.max_seconds,
        ),
        end_of_turn=SmartTurn(smart_turn_file()) if model else None,
        limits=HearingLimits(speakers=listen.max_speakers),
        barge_in=listen.barge_in,
        keepalive_seconds=listen.keepalive_seconds,
        transcript_channel_id=listen.transcript_channel_id,
    )


def discord_bot(config: "DiscordConfig") -> "ParrotBot":
    """The bot with its outbound adapters (chat, voice, attachments); its command sink comes with `attach`."""
    from adapters.discord import DiscordAttachments, DiscordChat, DiscordVoice, make_bot

    bot = make_bot(config)
    bot.equip(
        chat=DiscordChat(bot, prefix=config.prefix),
        voice=DiscordVoice(bot, prefix=config.prefix, connect_timeout=config.voice_connect_timeout),
        attachments=DiscordAttachments(bot, download_seconds=config.download_seconds),
    )
    return bot


# --- command line ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="parrot", description="Parrot: a Discord bot that listens, speaks and learns."
    )
    parser.add_argument("--config", type=Path, default=None, help="configuration file (default: parrot.toml)")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run on Discord when a token is configured, else the local chat (default)")
    sub.add_parser("chat", help="the local chat in this terminal; reads one message per line from a pipe")
    sub.add_parser("config", help="print the effective configuration, secrets masked")
    sub.add_parser("worker", help="take heavy work (hearing, speaking, training) from the Redis queue")
    migrate = sub.add_parser("migrate", help="bring the database's schema up to date, then stop (start-up does it too)")
    migrate.add_argument(
        "--from-files",
        action="store_true",
        help="also import the data root's record files, once (start-up does it too); the files are left in place",
    )
    sync = sub.add_parser("sync", help="register the slash commands with Discord (globally, or in one guild)")
    sync.add_argument("--guild", type=int, default=None, help="register in this guild only (instant)")
    train = sub.add_parser("train", help="train on a dataset file, as `!train` with that file attached")
    train.add_argument("file", type=Path)
    train.add_argument("--backend", default=None, help="model backend (default: model.backend)")
    train.add_argument(
        "--guild", type=int, default=1, help="the guild whose space is trained (default: the local chat's)"
    )
    test = sub.add_parser("test", help="evaluate the active model on a dataset file, as `!test`")
    test.add_argument("file", type=Path)
    test.add_argument("--json", action="store_true", help="print the report as JSON")
    test.add_argument("--guild", type=int, default=1, help="the guild whose model is tested")
    arguments = parser.parse_args(argv)
    try:
        settings = load_settings(arguments.config)
    except ConfigurationError as error:
        print(f"parrot: {error}", file=sys.stderr)
        return 2
    if arguments.command == "config":
        print(masked(settings))
        return 0
    if arguments.command == "migrate":
        # Needs neither the speech backends nor a token: only the database (and the data root's files).
        configure_logging(settings.logging.level, settings.logging.format, secrets=[])
        return asyncio.run(run_migrate(settings, from_files=arguments.from_files))
    unmet = unmet_requirement(settings.speech)
    if unmet is not None:
        print(f"parrot: {unmet}", file=sys.stderr)
        return 2
    token = settings.discord.token.get_secret_value() if settings.discord.token else None
    local_chat = arguments.command == "chat" or (arguments.command in (None, "run") and not token)
    if local_chat:
        # The terminal belongs to the conversation; the log goes to a file beside the data.
        log_file = settings.storage.data_root / "parrot.log"
        log_stream: TextIO = open_log_file(log_file)
        configure_logging(settings.logging.level, "json", secrets=[token] if token else [], stream=log_stream)
    else:
        configure_logging(settings.logging.level, settings.logging.format, secrets=[token] if token else [])
    try:
        if arguments.command in ("train", "test"):
            return asyncio.run(run_admin_job(settings, arguments))
        if arguments.command == "worker":
            return asyncio.run(run_worker(settings))
        if arguments.command == "sync":
            return asyncio.run(sync_commands(settings, token, arguments.guild))
        if arguments.command in (None, "run") and token:
            return asyncio.run(run_discord(settings, token))
        if arguments.command in (None, "run"):
            print("parrot: no Discord token configured (DISCORD_TOKEN); starting the local chat.", file=sys.stderr)
        print(f"parrot: logging to {settings.storage.data_root / 'parrot.log'}", file=sys.stderr)
        return asyncio.run(run_local_chat(settings))
    except KeyboardInterrupt:
        return 130


async def run_discord(settings: ParrotSettings, token: str) -> int:
    from adapters.discord import DiscordGuilds, DiscordStartupError, run_discord_bot
    from adapters.speech.model_files import ModelMissing

    try:
        bot = discord_bot(discord_config(settings.discord, settings.listen))
    except ModelMissing as error:
        print(f'parrot: {error} Or set listen.end_of_turn = "silence".', file=sys.stderr)
        return 2
    chat, attachments = web_ports(settings, bot.chat, bot.attachments)
    container = build_container(settings, chat, bot.voice, attachments, listening=bot.listening)
    bot.attach(container.bus())
    if not await open_records(container):
        return 1
    claim = shard_claim(settings)
    starter = prepare_starter(container)
    page = None
    try:
        if not await start_work(container):
            return 1
        if claim is not None:
            await claim.claim()
        page = await start_web(settings, container, chat, attachments, DiscordGuilds(bot), local=False)
        if settings.speech.load_at_startup and settings.work.queue == "local":  # workers load their own
            await warm_up(container)
        # Jobs are cancelled, and say so in the chat, before the bot disconnects (issue 14, defect 5).
        await run_discord_bot(bot, token, before_close=lambda: stop_jobs(container))
    except (DiscordStartupError, WorkQueueUnreachable, ShardsTaken) as error:
        print(f"parrot: {error}", file=sys.stderr)
        return 1
    finally:
        if claim is not None:
            await claim.release()
        if page is not None:
            await page.stop()
        await finish_starter(starter)
        await shutdown(container)
    return 0


def shard_claim(settings: ParrotSettings) -> "ShardClaim | None":
    """A sharded bot on the Redis queue claims its shards there, so two processes never run the same one."""
    if settings.discord.shard_count is None or settings.work.queue != "redis":
        return None
    from adapters.work.shards import ShardClaim

    return ShardClaim(settings.work.redis_url, settings.discord.shards(), settings.discord.shard_count)


async def sync_commands(settings: ParrotSettings, token: str | None, guild_id: int | None) -> int:
    from adapters.discord import DiscordStartupError, sync_slash_commands

    if not token:
        print("parrot: set DISCORD_TOKEN to register slash commands.", file=sys.stderr)
        return 2
    # Registering commands hears nobody: no end-of-turn model to find.
    listen = settings.listen.model_copy(update={"end_of_turn": "silence"})
    try:
        count = await sync_slash_commands(
            discord_bot(discord_config(settings.discord, listen)), token, guild_id=guild_id
        )
    except DiscordStartupError as error:
        print(f"parrot: {error}", file=sys.stderr)
        return 1
    where = f"guild {guild_id}" if guild_id else "every guild (global commands can take up to an hour to appear)"
    print(f"parrot: registered {count} slash commands in {where}.")
    return 0


async def run_local_chat(settings: ParrotSettings) -> int:
    from adapters.local.console import GUILD, ConsoleChat, LocalChatSession, stdin_lines
    from adapters.web import StaticGuilds

    console = ConsoleChat(settings.storage.data_root / "local-output", prefix=settings.discord.prefix)
    chat, attachments = web_ports(settings, console, console)
    container = build_container(settings, chat, console, attachments)
    interactive = sys.stdin.isatty()

    async def settle_app() -> None:
        await settle(container)

    session = LocalChatSession(
        console, container.bus(), settings.discord.prefix, settle_app, interactive, codec=container.audio.codec()
    )
    if not await open_records(container):
        return 1
    starter = prepare_starter(container)
    page = None
    try:
        if not await start_work(container):
            return 1
        directory = StaticGuilds([(int(GUILD), "Local chat")])
        page = await start_web(settings, container, chat, attachments, directory, local=True)
        if settings.speech.load_at_startup and settings.work.queue == "local":  # workers load their own
            await warm_up(container)
        await session.run(stdin_lines("you> " if interactive else ""))
    finally:
        if page is not None:
            await page.stop()
        await finish_starter(starter)
        await shutdown(container)
    return 0


async def run_admin_job(settings: ParrotSettings, arguments: argparse.Namespace) -> int:
    from adapters.local.admin_cli import AdminJob
    from adapters.local.console import ConsoleChat

    if not arguments.file.is_file():
        print(f"parrot: no such file: {arguments.file}", file=sys.stderr)
        return 2
    # With --json, standard output carries the report alone; the chat's lines go to standard error.
    quiet = arguments.command == "test" and arguments.json
    console = ConsoleChat(
        settings.storage.data_root / "local-output", sys.stderr if quiet else sys.stdout, settings.discord.prefix
    )
    container = build_container(settings, console, console, console)

    async def settle_app() -> None:
        await settle(container)

    job = AdminJob(console, container.bus(), settle_app)
    if not await open_records(container):
        return 1
    try:
        if not await start_work(container):
            return 1
        if arguments.command == "train":
            return await job.train(arguments.file, arguments.guild, arguments.backend)
        return await job.test(arguments.file, arguments.guild, arguments.json)
    finally:
        await shutdown(container)


async def run_migrate(settings: ParrotSettings, from_files: bool = False) -> int:
    """`parrot migrate [--from-files]`: apply the migrations not applied yet to `storage.database_url`, with
    `--from-files` import the data root's files too, and say what was done."""
    from adapters.database.engine import DatabaseUnavailable, open_database
    from adapters.storage.layout import SpaceLayout

    database = open_database(settings.storage.database_url)
    try:
        migrated = await database.start()
        if migrated.changed:
            before = migrated.before or "an empty database"
            print(f"parrot: migrated {database.masked_url} from {before} to {migrated.after}")
        else:
            print(f"parrot: {database.masked_url} is up to date (revision {migrated.after})")
        if from_files and not await move_in(database, SpaceLayout(settings.storage.data_root), report=sys.stdout):
            return 1
    except DatabaseUnavailable as error:
        print(f"parrot: {error}", file=sys.stderr)
        return 1
    finally:
        await database.close()
    return 0


async def move_in(database: "Database", layout: "SpaceLayout", report: TextIO | None = None) -> bool:
    """Import the data root's record files into the database unless done before (after the migrations, before
    the bot connects); with `report`, what came in, store by store. False (the reason printed on one line) when a
    space could not be imported: nothing of it was, and the next start tries again."""
    from adapters.database.file_import import FileImportFailed, import_files

    try:
        imported = await import_files(database, layout)
    except FileImportFailed as error:
        print(f"parrot: {error}", file=sys.stderr)
        return False
    if report is None:
        return True
    if imported.earlier is not None:
        print(
            f"parrot: the files under {imported.data_root} were imported on {imported.earlier:%Y-%m-%d %H:%M} UTC; "
            "nothing more to import",
            file=report,
        )
        return True
    print(
        f"parrot: imported {len(imported.spaces)} space(s) from {imported.data_root} into {database.masked_url}:",
        file=report,
    )
    for store, count in imported.totals.items():
        print(f"  {store:<15}{count:>8}", file=report)
    print("parrot: the files are left in place; the database holds these records from now on", file=report)
    return True


async def run_worker(settings: ParrotSettings) -> int:
    """`parrot worker`: take jobs from `work.redis_url` until SIGINT or SIGTERM, then finish and stop."""
    import signal

    from adapters.work.worker import check_reachable, serve

    try:
        await check_reachable(settings.work.redis_url)
    except WorkQueueUnreachable as error:
        print(f"parrot: {error}", file=sys.stderr)
        return 1
    container = build_worker(settings)
    executor = container.executor()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        if settings.speech.load_at_startup:
            await executor.warm_up()
        print(f"parrot: worker taking jobs ({settings.work.concurrency} at a time)", file=sys.stderr, flush=True)
        await serve(settings.work.redis_url, executor, settings.work.concurrency, stop.wait())
    finally:
        container.shutdown_resources()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
