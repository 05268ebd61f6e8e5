"""The review page driver: a web page served beside the bot, reading through queries, changing through the bus.

`cli.py` wraps the running driver's chat and attachments (`WebChat`, `WebAttachments`) before the container is
built, then `build_server` puts the page together and `WebServer.start` serves it in the same event loop.
"""

from adapters.web.app import ReviewQueries, WebContext
from adapters.web.directory import GuildDirectory, StaticGuilds
from adapters.web.oauth import DISCORD_API, DiscordOAuth, OAuthConfig
from adapters.web.outbox import WebAttachments, WebChat
from adapters.web.server import Listen, WebServer
from adapters.web.sessions import Identity, LoginLinks, SessionCodec
from application.chat.permissions import PrivilegePolicy
from application.messagebus import MessageBus

__all__ = [
    "GuildDirectory",
    "Identity",
    "ReviewQueries",
    "StaticGuilds",
    "WebAttachments",
    "WebChat",
    "WebServer",
    "build_server",
]


def build_server(
    *,
    host: str,
    port: int,
    bus: MessageBus,
    chat: WebChat,
    attachments: WebAttachments,
    queries: ReviewQueries,
    directory: GuildDirectory,
    policy: PrivilegePolicy,
    session_hours: float,
    max_upload_bytes: int,
    public_url: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    api_base: str | None = None,
) -> WebServer:
    public = (public_url or f"http://{host}:{port}").rstrip("/")
    oauth = None
    if client_id and client_secret:
        config = OAuthConfig(client_id, client_secret, f"{public}/oauth/callback", api_base or DISCORD_API)
        oauth = DiscordOAuth(config, directory, policy)
    context = WebContext(
        bus=bus,
        chat=chat,
        attachments=attachments,
        queries=queries,
        directory=directory,
        sessions=SessionCodec(session_hours * 3600),
        links=LoginLinks(),
        oauth=oauth,
        secure_cookies=public.startswith("https://"),
        max_upload_bytes=max_upload_bytes,
    )
    return WebServer(context, Listen(host, port))
