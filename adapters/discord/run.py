"""Starting, stopping and maintaining the Discord bot, with one-line reasons when it cannot start."""

import asyncio
import signal
from collections.abc import Awaitable, Callable

import aiohttp
import discord
import discord.http
import structlog

from adapters.discord.bot import ParrotBot

log = structlog.get_logger("parrot.discord")

REJECTED_LOGIN = (
    "Discord rejected the bot token; copy it again from the developer portal (Bot > Reset Token) "
    "into PARROT_DISCORD_TOKEN."
)
MISSING_INTENT = (
    "Discord refused the Message Content intent; enable it on the developer portal "
    "(Bot > Privileged Gateway Intents > Message Content)."
)


class DiscordStartupError(Exception):
    """The bot could not start for a reason the user can fix; the message is one line, without the token."""


async def run_discord_bot(
    bot: ParrotBot,
    token: str,
    *,
    handle_signals: bool = True,
    before_close: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Log in, serve until SIGINT/SIGTERM (or the connection ends for good), then leave voice and close.

    `before_close` runs while the bot is still connected (cancelling the application's jobs, which tell their
    users so), bounded by `shutdown_grace_seconds`; only then are the gateway and the HTTP session closed.
    """
    token = token.strip()
    if not token:
        raise DiscordStartupError("No Discord bot token is configured; set PARROT_DISCORD_TOKEN.")
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    installed: list[signal.Signals] = []
    if handle_signals:
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
                installed.append(sig)
            except (NotImplementedError, RuntimeError):  # not the main thread, or Windows
                pass
    try:
        async with bot:
            await _login(bot, token)
            connection = asyncio.create_task(bot.connect(reconnect=True), name="discord-gateway")
            stopping = asyncio.create_task(stop.wait(), name="discord-stop")
            await asyncio.wait({connection, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if stopping.done():
                log.info("stopping on signal")
            stopping.cancel()
            if before_close is not None:
                try:
                    await asyncio.wait_for(before_close(), bot.config.shutdown_grace_seconds)
                except TimeoutError:
                    log.warning("jobs did not stop in time", seconds=bot.config.shutdown_grace_seconds)
            # close() disconnects every voice client before it closes the gateway and the HTTP session.
            await bot.close()
            try:
                await connection
            except discord.PrivilegedIntentsRequired:
                raise DiscordStartupError(MISSING_INTENT) from None
            except discord.ConnectionClosed as closed:
                if closed.code == 4004:  # authentication failed at the gateway
                    raise DiscordStartupError(REJECTED_LOGIN) from None
                raise DiscordStartupError(f"Discord closed the connection (code {closed.code}).") from None
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


async def sync_slash_commands(bot: ParrotBot, token: str, *, guild_id: int | None = None) -> int:
    """Register the slash commands with Discord (for `parrot sync`); returns how many. No gateway needed.

    Global commands can take up to an hour to appear; a guild's appear at once.
    """
    async with bot:
        await _login(bot, token.strip())  # login() runs setup_hook, which loads the cogs and their commands
        if guild_id is None:
            synced = await bot.tree.sync()
        else:
            guild = discord.Object(guild_id)
            bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
    return len(synced)


async def _login(bot: ParrotBot, token: str) -> None:
    try:
        await bot.login(token)
    except discord.LoginFailure:
        raise DiscordStartupError(REJECTED_LOGIN) from None
    except discord.HTTPException as error:
        raise DiscordStartupError(f"Discord refused the login (HTTP {error.status}); try again later.") from None
    except (aiohttp.ClientError, OSError) as error:
        raise DiscordStartupError(f"Could not reach Discord at {discord.http.Route.BASE}: {error}") from None
