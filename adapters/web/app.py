"""The review page: aiohttp handlers over the application's queries, and commands sent on the bus.

Every change goes through the bus as a command from the signed-in admin, so it is checked, logged and applied
exactly as the same command typed in the chat. Every page is per server; a server the session does not
administer is refused, whatever the URL asks for.
"""

import asyncio
import itertools
import mimetypes
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from aiohttp import web

from adapters.web.charts import accuracy_chart
from adapters.web.directory import GuildDirectory
from adapters.web.oauth import DiscordOAuth, OAuthFailed
from adapters.web.outbox import Outcome, WebAttachments, WebChat
from adapters.web.sessions import COOKIE, Guild, LoginLinks, Session, SessionCodec
from adapters.web.text import html_renderer, text_html
from application.messagebus import MessageBus
from application.ports.review import ReviewItem
from application.review.activity import CORRECTED, THUMBS_DOWN, UNSURE
from application.review.data import DatasetDownload, SpaceData
from application.review.inbox import InboxFilter, InboxGroup, ReviewInbox
from application.review.intents import IntentAnswers
from application.review.models import JobStatus, ModelHistory, ReportPicture
from application.review.overview import Overview
from application.review.settings import ServerSettings
from domain import commands
from domain.errors import ParrotError
from domain.ids import GuildId, MessageId, UserId
from domain.messages import Author, Message
from domain.spaces import Space
from domain.training import OUT_OF_SCOPE, OUT_OF_SCOPE_MEANING

HERE = Path(__file__).resolve().parent
STATE_COOKIE = "parrot_oauth_state"
REASONS = ("", UNSURE, CORRECTED, THUMBS_DOWN)


@dataclass(frozen=True, slots=True)
class ReviewQueries:
    overview: Overview
    inbox: ReviewInbox
    models: ModelHistory
    picture: ReportPicture
    job: JobStatus
    data: SpaceData
    download: DatasetDownload
    answers: IntentAnswers
    settings: ServerSettings


@dataclass
class WebContext:
    bus: MessageBus
    chat: WebChat
    attachments: WebAttachments
    queries: ReviewQueries
    directory: GuildDirectory
    sessions: SessionCodec
    links: LoginLinks
    oauth: DiscordOAuth | None = None
    secure_cookies: bool = False
    max_upload_bytes: int = 20_000_000
    flashes: dict[str, Outcome] = field(default_factory=dict)
    message_ids: "itertools.count[int]" = field(default_factory=lambda: itertools.count(1))


CONTEXT = web.AppKey("context", WebContext)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def make_app(context: WebContext) -> web.Application:
    app = web.Application(client_max_size=context.max_upload_bytes + 1_000_000, middlewares=[_headers])
    app[CONTEXT] = context
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["percent"] = lambda value: "–" if value is None else f"{value:.0%}"
    environment.filters["when"] = lambda value: value.strftime("%Y-%m-%d %H:%M") if value else "–"
    environment.globals.update(oos=OUT_OF_SCOPE, oos_meaning=OUT_OF_SCOPE_MEANING)
    # What Parrot says (replies, command outcomes) is a Text: its parts in the page's markup, not in backticks.
    renderer = html_renderer(context.chat.prefix)
    environment.filters["text"] = lambda value: text_html(value, renderer)
    app[TEMPLATES] = environment
    app.router.add_static("/static", HERE / "static", name="static")
    app.router.add_get("/", home)
    app.router.add_get("/login/discord", login_discord)
    app.router.add_get("/login/{token}", login_link)
    app.router.add_get("/oauth/callback", oauth_callback)
    app.router.add_post("/logout", logout)
    app.router.add_get("/g/{guild}/", overview_page)
    app.router.add_get("/g/{guild}/inbox", inbox_page)
    app.router.add_post("/g/{guild}/inbox/answer", inbox_answer)
    app.router.add_post("/g/{guild}/inbox/assign", inbox_assign)
    app.router.add_post("/g/{guild}/inbox/ignore", inbox_ignore)
    app.router.add_get("/g/{guild}/models", models_page)
    app.router.add_get("/g/{guild}/models/{version}/confusion.png", confusion_png)
    app.router.add_post("/g/{guild}/models/use", models_use)
    app.router.add_post("/g/{guild}/models/train", models_train)
    app.router.add_post("/g/{guild}/models/test", models_test)
    app.router.add_get("/g/{guild}/job", job_fragment)
    app.router.add_get("/g/{guild}/data", data_page)
    app.router.add_post("/g/{guild}/data/upload", data_upload)
    app.router.add_post("/g/{guild}/data/select", data_select)
    app.router.add_get("/g/{guild}/data/download", data_download)
    app.router.add_post("/g/{guild}/corrections/edit", corrections_edit)
    app.router.add_post("/g/{guild}/corrections/delete", corrections_delete)
    app.router.add_get("/g/{guild}/settings", settings_page)
    app.router.add_post("/g/{guild}/settings", settings_save)
    return app


TEMPLATES = web.AppKey("templates", jinja2.Environment)


@web.middleware
async def _headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# --- sessions and access --------------------------------------------------------------------------


def _context(request: web.Request) -> WebContext:
    return request.app[CONTEXT]


def _session(request: web.Request) -> Session | None:
    return _context(request).sessions.decode(request.cookies.get(COOKIE))


def _guilds(context: WebContext, session: Session) -> tuple[Guild, ...]:
    present = tuple(Guild(guild_id, name) for guild_id, name in context.directory.guilds())
    if session.identity.guilds is None:
        return present
    # Only servers Parrot is still in, among those the user administered at login.
    ids = {guild.id for guild in present}
    return tuple(guild for guild in session.identity.guilds if guild.id in ids)


@dataclass(frozen=True, slots=True)
class Visit:
    """A signed-in request for one server's pages."""

    session: Session
    guild: Guild
    guilds: tuple[Guild, ...]

    @property
    def space(self) -> Space:
        return Space(guild_id=GuildId(self.guild.id))


def _visit(request: web.Request) -> Visit:
    context = _context(request)
    session = _session(request)
    if session is None:
        if request.method == "GET":
            raise web.HTTPSeeOther("/")
        raise web.HTTPUnauthorized(text="Sign in first: your session is missing or has expired.")
    try:
        wanted = int(request.match_info["guild"])
    except ValueError:
        raise web.HTTPNotFound() from None
    guilds = _guilds(context, session)
    guild = next((g for g in guilds if g.id == wanted), None)
    if guild is None:
        raise web.HTTPForbidden(text="You do not administer that server, or Parrot is not in it.")
    return Visit(session, guild, guilds)


async def _form(request: web.Request, visit: Visit) -> Any:
    form = await request.post()
    given = form.get("csrf")
    if not isinstance(given, str) or not secrets.compare_digest(given, visit.session.csrf):
        raise web.HTTPForbidden(text="The form's security token is missing or stale; reload the page and try again.")
    return form


def _render(request: web.Request, template: str, visit: Visit | None, status: int = 200, **values: Any) -> web.Response:
    context = _context(request)
    flash = context.flashes.pop(visit.session.csrf, None) if visit is not None else None
    page = request.app[TEMPLATES].get_template(template)
    body = page.render(
        visit=visit,
        csrf=visit.session.csrf if visit else "",
        flash=flash,
        path=request.path,
        oauth=context.oauth is not None,
        **values,
    )
    return web.Response(text=body, content_type="text/html", status=status)


def _set_session(context: WebContext, response: web.StreamResponse, session: Session) -> None:
    response.set_cookie(
        COOKIE,
        context.sessions.encode(session),
        max_age=int(context.sessions.lifetime_seconds),
        httponly=True,
        samesite="Lax",
        secure=context.secure_cookies,
        path="/",
    )


# --- commands on the bus --------------------------------------------------------------------------


async def _send(request: web.Request, visit: Visit, *made: Callable[[Message], commands.Command]) -> Outcome:
    """Send commands as the signed-in admin, in a channel of the page's own; collect what they answer."""
    context = _context(request)
    identity = visit.session.identity
    author = Author(id=UserId(identity.user_id), name=identity.name, display_name=identity.name, can_manage_guild=True)
    channel = context.chat.open_channel()
    try:
        for make in made:
            message = Message(
                id=MessageId(-next(context.message_ids)),
                channel_id=channel,
                author=author,
                content="",
                guild_id=GuildId(visit.guild.id),
                created_at=datetime.now(UTC),
            )
            await context.bus.handle(make(message))
    finally:
        outcome = context.chat.close_channel(channel)
    return outcome


def _done(request: web.Request, visit: Visit, outcome: Outcome, to: str) -> web.Response:
    _context(request).flashes[visit.session.csrf] = outcome
    raise web.HTTPSeeOther(f"/g/{visit.guild.id}/{to}")


def _refused(request: web.Request, visit: Visit, reason: str, to: str) -> web.Response:
    return _done(request, visit, Outcome([reason], failed=True), to)


def _texts(form: Any) -> list[str]:
    return [text for text in form.getall("text", []) if isinstance(text, str) and text.strip()][:100]


# --- sign-in --------------------------------------------------------------------------------------


async def home(request: web.Request) -> web.Response:
    context = _context(request)
    session = _session(request)
    if session is None:
        return _render(request, "login.html", None)
    guilds = _guilds(context, session)
    if len(guilds) == 1:
        raise web.HTTPSeeOther(f"/g/{guilds[0].id}/")
    return _render(request, "servers.html", None, servers=guilds, session=session)


async def login_link(request: web.Request) -> web.Response:
    context = _context(request)
    identity = context.links.redeem(request.match_info["token"])
    if identity is None:
        return _render(request, "login.html", None, status=403, error="That login link was already used or is wrong.")
    response = web.HTTPSeeOther("/")
    _set_session(context, response, context.sessions.new(identity))
    raise response


async def login_discord(request: web.Request) -> web.Response:
    context = _context(request)
    if context.oauth is None:
        raise web.HTTPNotFound(text="Discord login is not configured here.")
    state = secrets.token_urlsafe(24)
    response = web.HTTPSeeOther(context.oauth.authorize_url(state))
    response.set_cookie(
        STATE_COOKIE, state, max_age=600, httponly=True, samesite="Lax", secure=context.secure_cookies, path="/"
    )
    raise response


async def oauth_callback(request: web.Request) -> web.Response:
    context = _context(request)
    if context.oauth is None:
        raise web.HTTPNotFound()
    state = request.query.get("state", "")
    expected = request.cookies.get(STATE_COOKIE, "")
    if not state or not expected or not secrets.compare_digest(state, expected):
        return _render(request, "login.html", None, status=403, error="The login did not come from this page.")
    code = request.query.get("code", "")
    if not code:
        return _render(request, "login.html", None, status=403, error="Discord did not grant the login.")
    try:
        identity = await context.oauth.identify(code)
    except OAuthFailed as failure:
        return _render(request, "login.html", None, status=502, error=str(failure))
    response = web.HTTPSeeOther("/")
    response.del_cookie(STATE_COOKIE, path="/")
    _set_session(context, response, context.sessions.new(identity))
    raise response


async def logout(request: web.Request) -> web.Response:
    session = _session(request)
    form = await request.post()
    given = form.get("csrf")
    if session is None or not isinstance(given, str) or not secrets.compare_digest(given, session.csrf):
        raise web.HTTPForbidden(text="The form's security token is missing or stale.")
    response = web.HTTPSeeOther("/")
    response.del_cookie(COOKIE, path="/")
    raise response


# --- overview and inbox ---------------------------------------------------------------------------


async def overview_page(request: web.Request) -> web.Response:
    visit = _visit(request)
    view = await _context(request).queries.overview(visit.space)
    return _render(request, "overview.html", visit, view=view)


def _filter(query: Any) -> tuple[InboxFilter, str]:
    def day(name: str) -> date | None:
        value = query.get(name, "").strip()
        return date.fromisoformat(value) if value else None

    def share(name: str, default: float) -> float:
        value = query.get(name, "").strip()
        return float(value) / 100 if value else default

    try:
        state = query.get("state", "pending")
        if state not in ("pending", "answered", "ignored", ""):
            raise ValueError("state")
        reason = query.get("reason", "")
        if reason not in REASONS:
            raise ValueError("reason")
        wanted = InboxFilter(
            intent=query.get("intent", "").strip(),
            since=day("since"),
            until=day("until"),
            min_confidence=share("min", 0.0),
            max_confidence=share("max", 1.0),
            state=state,
            reason=reason,
        )
    except ValueError:
        return InboxFilter(), "A filter was not understood: dates are YYYY-MM-DD, confidences 0 to 100."
    except ParrotError as refusal:
        return InboxFilter(), refusal.user_message
    return wanted, ""


GROUPS_PER_PAGE = 50  # a page a browser draws at once, however many thousand messages wait


@dataclass(frozen=True, slots=True)
class InboxPage:
    """One page of the inbox's groups, and the links to its neighbours with the same filters."""

    groups: tuple[InboxGroup, ...]
    first: int  # the place of the page's first group among all, from 1
    total: int
    previous: str
    next: str


def _inbox_page(request: web.Request, groups: tuple[InboxGroup, ...]) -> InboxPage:
    pages = max(1, -(-len(groups) // GROUPS_PER_PAGE))
    asked = request.query.get("page", "1")
    number = min(max(int(asked), 1), pages) if asked.isdigit() else 1

    def link(to: int) -> str:
        others = [(key, value) for key, value in request.query.items() if key != "page"]
        return f"{request.path}?{urlencode([*others, ('page', str(to))])}"

    start = (number - 1) * GROUPS_PER_PAGE
    return InboxPage(
        groups=groups[start : start + GROUPS_PER_PAGE],
        first=start + 1,
        total=len(groups),
        previous=link(number - 1) if number > 1 else "",
        next=link(number + 1) if number < pages else "",
    )


async def inbox_page(request: web.Request) -> web.Response:
    visit = _visit(request)
    wanted, problem = _filter(request.query)
    context = _context(request)
    view = await context.queries.inbox(visit.space, wanted)
    answers = await context.queries.answers(visit.space)
    return _render(
        request,
        "inbox.html",
        visit,
        view=view,
        shown=_inbox_page(request, view.groups),
        wanted=wanted,
        problem=problem,
        query=request.query,
        answered_intents=sorted(answers),
    )


async def _inbox_items(request: web.Request, visit: Visit) -> dict[str, ReviewItem]:
    everything = await _context(request).queries.inbox(visit.space, InboxFilter(state=""))
    return {item.text: item for group in everything.groups for item in group.items}


def _correction(chat: WebChat, item: ReviewItem | None, message: Message, text: str, answer: str) -> commands.Command:
    if item is None:
        return commands.CorrectReply(message, correction=answer, user_text=text)
    # The correction of record keeps the reply as the chat showed it, as a correction typed in the chat does; a
    # reply that only named its intent gets that intent's answer, as `!correct` of it in the chat gives.
    return commands.CorrectReply(
        message,
        correction=answer,
        user_text=text,
        bot_reply=chat.render(item.reply),
        unanswered_intent=item.intent if item.unanswered else "",
    )


async def _correct(request: web.Request, visit: Visit, texts: list[str], answer: str) -> web.Response:
    """Each chosen message gets `answer` as its correction, as `correct` in the chat does: one command each."""
    items = await _inbox_items(request, visit)
    chat = _context(request).chat
    outcome = await _send(
        request, visit, *(lambda m, t=text: _correction(chat, items.get(t), m, t, answer) for text in texts)
    )
    return _done(request, visit, outcome, "inbox")


async def inbox_answer(request: web.Request) -> web.Response:
    visit = _visit(request)
    form = await _form(request, visit)
    texts, answer = _texts(form), str(form.get("answer", ""))
    if not texts:
        return _refused(request, visit, "Choose at least one message to answer.", "inbox")
    return await _correct(request, visit, texts, answer)


async def inbox_assign(request: web.Request) -> web.Response:
    visit = _visit(request)
    form = await _form(request, visit)
    texts, intent = _texts(form), str(form.get("intent", "")).strip()
    if not texts or not intent:
        return _refused(request, visit, "Choose messages and an intent to assign.", "inbox")
    answers = await _context(request).queries.answers(visit.space)
    # The intent's answer joins the message to that intent at the next training. Without one there is
    # nothing to teach: the intent's bare name would become the answer users get.
    answer = answers.get(intent, "")
    if not answer.strip():
        return _refused(
            request,
            visit,
            f"The selected dataset has no answer for the intent “{intent[:80]}”: choose an intent it answers, "
            "or write the answer instead.",
            "inbox",
        )
    return await _correct(request, visit, texts, answer)


async def inbox_ignore(request: web.Request) -> web.Response:
    visit = _visit(request)
    form = await _form(request, visit)
    texts = tuple(_texts(form))
    outcome = await _send(request, visit, lambda m: commands.IgnoreMessages(m, texts=texts))
    return _done(request, visit, outcome, "inbox")


# --- models ---------------------------------------------------------------------------------------


async def models_page(request: web.Request) -> web.Response:
    visit = _visit(request)
    view = await _context(request).queries.models(visit.space)
    points = [(str(v.version.number), v.report.accuracy) for v in view.versions if v.report is not None]
    return _render(request, "models.html", visit, view=view, chart=accuracy_chart(points), job=view.job)


async def confusion_png(request: web.Request) -> web.Response:
    visit = _visit(request)
    wanted = request.match_info["version"]
    if wanted != "cv" and not wanted.isdigit():
        raise web.HTTPNotFound()
    png = await _context(request).queries.picture(visit.space, None if wanted == "cv" else int(wanted))
    if png is None:
        raise web.HTTPNotFound(text="No report picture for that version.")
    return web.Response(body=png, content_type="image/png")


async def models_use(request: web.Request) -> web.Response:
    visit = _visit(request)
    form = await _form(request, visit)
    version = str(form.get("version", ""))
    outcome = await _send(request, visit, lambda m: commands.UseModel(m, version=version))
    return _done(request, visit, outcome, "models")


async def models_train(request: web.Request) -> web.Response:
    return await _start_job(request, commands.TrainModel, "Training")


async def models_test(request: web.Request) -> web.Response:
    return await _start_job(request, commands.TestModel, "Testing")


async def _start_job(request: web.Request, make: Callable[[Message], commands.Command], what: str) -> web.Response:
    """The train and test forms: send the command that starts the job, then back to the models page."""
    visit = _visit(request)
    await _form(request, visit)
    outcome = await _send(request, visit, make)
    # A job tells its start from its own task, often after the page has stopped listening: say it here.
    if not outcome.failed and not outcome.lines:
        outcome = Outcome([f"{what} started; its progress shows below."])
    return _done(request, visit, outcome, "models")


async def job_fragment(request: web.Request) -> web.Response:
    visit = _visit(request)
    job = _context(request).queries.job(visit.space)
    page = request.app[TEMPLATES].get_template("job.html")
    return web.Response(text=page.render(job=job, visit=visit), content_type="text/html")


# --- data -----------------------------------------------------------------------------------------


async def data_page(request: web.Request) -> web.Response:
    visit = _visit(request)
    view = await _context(request).queries.data(visit.space)
    return _render(request, "data.html", visit, view=view)


async def data_upload(request: web.Request) -> web.Response:
    context = _context(request)
    visit = _visit(request)
    form = await _form(request, visit)
    upload = form.get("file")
    if not isinstance(upload, web.FileField) or not upload.filename:
        return _refused(request, visit, "Choose a dataset file to upload.", "data")
    data = await asyncio.to_thread(upload.file.read, context.max_upload_bytes + 1)
    content_type = upload.content_type or mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
    attachment = context.attachments.hold(Path(upload.filename).name, data, content_type)
    try:
        outcome = await _send(request, visit, lambda m: commands.UploadDataset(m, attachment=attachment))
    finally:
        context.attachments.release(attachment)
    return _done(request, visit, outcome, "data")


async def data_select(request: web.Request) -> web.Response:
    visit = _visit(request)
    form = await _form(request, visit)
    name = str(form.get("name", ""))
    outcome = await _send(request, visit, lambda m: commands.SelectDataset(m, name=name))
    return _done(request, visit, outcome, "data")


async def data_download(request: web.Request) -> web.Response:
    visit = _visit(request)
    try:
        stored = await _context(request).queries.download(visit.space, request.query.get("name", ""))
    except ParrotError as refusal:
        raise web.HTTPNotFound(text=refusal.user_message) from None
    safe = "".join(c for c in Path(stored.name).name if c.isalnum() or c in "._-") or "dataset"
    return web.Response(
        body=stored.data,
        content_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )


async def corrections_edit(request: web.Request) -> web.Response:
    visit = _visit(request)
    form = await _form(request, visit)
    user_text, correction = str(form.get("user_text", "")), str(form.get("correction", ""))
    if not user_text.strip():
        return _refused(request, visit, "Which message does the correction answer?", "data")
    outcome = await _send(
        request, visit, lambda m: commands.CorrectReply(m, correction=correction, user_text=user_text)
    )
    return _done(request, visit, outcome, "data")


async def corrections_delete(request: web.Request) -> web.Response:
    visit = _visit(request)
    form = await _form(request, visit)
    user_text = str(form.get("user_text", ""))
    outcome = await _send(request, visit, lambda m: commands.RetractCorrection(m, user_text=user_text))
    return _done(request, visit, outcome, "data")


# --- settings -------------------------------------------------------------------------------------


async def settings_page(request: web.Request) -> web.Response:
    visit = _visit(request)
    context = _context(request)
    data = await context.queries.data(visit.space)
    models = await context.queries.models(visit.space)
    settings = await context.queries.settings(visit.space)
    return _render(request, "settings.html", visit, view=data, models=models, settings=settings)


async def settings_save(request: web.Request) -> web.Response:
    """Each changed field is the chat command that changes it, sent as the admin: checked and refused the same way."""
    visit = _visit(request)
    form = await _form(request, visit)
    context = _context(request)
    current = await context.queries.settings(visit.space)
    saved = current.saved
    made: list[Callable[[Message], commands.Command]] = []

    def change(setting: str, *values: str) -> None:
        made.append(lambda m: commands.ChangeSettings(m, setting=setting, values=values))

    switches = (
        ("transcribe", saved.transcribe_voice),
        ("voice", saved.spoken_replies),
        ("voicelog", saved.keep_voice_transcripts),
    )
    for name, now in switches:
        wanted = str(form.get(name, "")).strip()
        if wanted and wanted != ("on" if now else "off"):
            change(name, wanted)
    if "languages" in form:  # a form without the field keeps the languages; an empty field means the configured
        given = tuple(str(form.get("languages", "")).replace(",", " ").split())
        if given in ((), ("default",)):
            if saved.languages:
                change("languages", "default")
        elif given != saved.languages:
            change("languages", *given)
    starter = str(form.get("starter", "")).strip()
    starter_now = "default" if saved.keep_starter is None else ("on" if saved.keep_starter else "off")
    if starter and starter != starter_now:
        change("starter", starter)
    dataset = str(form.get("active_dataset", "")).strip()
    if dataset and dataset != (saved.active_dataset or ""):
        made.append(lambda m: commands.SelectDataset(m, name=dataset))
    model = str(form.get("active_model", "")).strip()
    if model and model != str(saved.active_model or ""):
        made.append(lambda m: commands.UseModel(m, version=model))
    if not made:
        return _done(request, visit, Outcome(["Nothing changed."]), "settings")
    outcome = await _send(request, visit, *made)
    return _done(request, visit, outcome, "settings")
