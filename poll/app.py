"""create_app(settings) -> the ASGI app. Its lifespan opens the store, starts the hub and the
connection watchdog, and hands all of it to views and sockets as one typed `AppState`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette_compress import CompressMiddleware, add_compress_type

from .broadcast import Watchdog, open_pubsub
from .config import Settings
from .i18n import N_
from .limits import Limits
from .live import Hub, Why
from .live.opinions import Opinions
from .network import public_base_url
from .opinion.worker import OpinionWorker
from .routes import routes
from .state import STATE_KEY, AppState
from .store import StoreError, open_store
from .urls import Addresses
from .web.assets import static_assets
from .web.first_visit import FirstVisits
from .web.hardening import Hardening
from .web.pages import error
from .web.participants import ParticipantCookies
from .web.sessions import SignedCookies
from .web.static import StaticAnswers
from .web.views._common import PageError
from .ws.endpoint import phone_socket
from .ws.gc_policy import keep_collections_short

log = logging.getLogger("poll")

# The CSV exports are text and compress to a fraction; the middleware's own list lacks them.
add_compress_type("text/csv")

# The route phone sockets take (its path regex, from the route table).
_PHONES = next(r for r in routes if isinstance(r, WebSocketRoute) and r.name == "phone_socket")


class PollApp(Starlette):
    """Starlette, with phone sockets and static files answered before its middleware and router.

    Each of those layers keeps a coroutine frame (and some closures) alive for as long as a
    websocket is open: a few KB per phone, times thousands of phones (docs/performance.md).
    Phones need neither the session nor CSRF nor the error pages; every other request, and a
    phone socket under a root path, takes the usual way. A static file's answer is ready-made
    (`StaticAnswers`, with the headers the middleware would add): going through the stack cost
    several times the lookup, for each of the nine files of a phone's first visit.
    """

    static: StaticAnswers | None = None  # set by create_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.static is not None:
            answer = self.static.answer(scope)
            if answer is not None:
                await send({"type": "http.response.start", "status": answer.status,
                            "headers": answer.headers})
                await send({"type": "http.response.body", "body": answer.body})
                return
        if scope["type"] == "websocket":
            match = _PHONES.path_regex.match(scope["path"])
            if match is not None:
                await phone_socket(scope, receive, send, match["code"])
                return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings) -> Starlette:
    """The ASGI app for `settings`; its lifespan opens the store and starts the hub."""
    secret = {"value": ""}  # signs sessions, CSRF tokens and participant ids; from the store
    base_url, _ = public_base_url(settings)
    https = base_url.startswith("https://")  # then cookies are Secure and browsers get HSTS

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, AppState]]:
        static_assets()  # read, hash and compress static/ now, not on the first phone's visit
        store = await open_store(settings.database, max_batch=settings.max_batch)
        try:
            secret["value"] = settings.session_secret or await store.secret("session_secret")
            hub = Hub(store, open_pubsub(settings.pubsub), settings)
            watchdog = Watchdog(settings.send_timeout)
            await hub.start()
            # The worker process starts now, not with the first map (docs/opinion.md, "Live").
            worker = OpinionWorker()
            worker.start()
            opinions = Opinions(hub.rooms, hub.pubsub, worker, settings.map_interval,
                                hub.ticker.news)
            tasks = [asyncio.create_task(watchdog.run(), name="poll-send-watchdog"),
                     asyncio.create_task(keep_collections_short(lambda: len(watchdog)),
                                         name="poll-gc-policy"),
                     asyncio.create_task(opinions.run(), name="poll-opinion-maps")]
            try:
                yield {STATE_KEY: AppState(
                    settings=settings, store=store, hub=hub,
                    limits=Limits(settings.max_connections, settings.max_connections_per_ip),
                    urls=Addresses(base_url, routes), watchdog=watchdog,
                    participants=ParticipantCookies(secret["value"], secure=https),
                    worker=worker, first_visits=FirstVisits())}
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await worker.stop()
                await hub.stop()
        finally:
            await store.close()

    async def page_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageError)
        return error(request, exc.status, exc.title, exc.message, lang=exc.lang, code=exc.code)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            return error(request, 404, N_("Page not found"),
                         N_("There is nothing at this address."))
        if exc.status_code == 405:
            return error(request, 405, N_("Not allowed"),
                         N_("This address does not accept that method."))
        return error(request, exc.status_code, "Error", str(exc.detail))

    async def store_error(request: Request, exc: Exception) -> Response:
        # The database is away (stopped, restarting, unreachable): a page that needs it says so
        # and asks to try again; one line in the log, no traceback per request.
        log.warning("%s %s: the database could not answer: %s", request.method,
                    request.url.path, exc)
        return error(request, 503, N_("Temporarily unavailable"),
                     N_("The archive cannot be reached just now. Please try again in a moment."),
                     code=Why.NOT_SAVED.value)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path, exc_info=exc)
        return error(request, 500, N_("Something went wrong"),
                     N_("The server could not handle this request. Please try again."))

    app = PollApp(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            # Pages, JSON and CSV, compressed per response (docs/performance.md, issue 14):
            # brotli 5 (about 2 ms for the moderator's page, within a few % of the smallest),
            # gzip for browsers without it; zstd is off, as brotli's built-in dictionary of the
            # web's words makes small pages 8-15 % smaller than zstd does. Under 512 bytes
            # (acks, redirects) stays as it is. Static files come compressed (web/static.py),
            # and websockets pass by: PollApp answers phones before this, and the middleware
            # itself leaves everything but HTTP alone.
            Middleware(CompressMiddleware, minimum_size=512, zstd=False, brotli_quality=5,
                       gzip_level=6),
            Middleware(Hardening, hsts=https),
            Middleware(SignedCookies, secret=secret, https=https),
        ],
        exception_handlers={PageError: page_error, HTTPException: http_error,
                            StoreError: store_error, 500: server_error},
    )
    app.static = StaticAnswers(hsts=https)
    return app
