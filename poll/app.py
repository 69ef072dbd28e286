"""create_app(settings) -> Starlette. The lifespan owns the store and the hub."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .broadcast import MemoryPubSub
from .config import Settings
from .hub import Hub
from .i18n import N_
from .network import public_base_url
from .pages import error
from .routes import routes
from .security import Hardening, Limits, csrf_protection
from .sockets import phone_socket
from .store import SQLiteStore
from .views._common import PageError

log = logging.getLogger("poll")


class _SignedCookies:
    """Sessions (Starlette's SessionMiddleware) and CSRF protection (asgi-csrf, as Datasette uses),
    both keyed by a secret the lifespan reads from the store.

    The middleware stack is built before the lifespan runs, so the real middleware is made on the
    first request, once the secret is known.
    """

    def __init__(self, app: ASGIApp, secret: dict[str, str]) -> None:
        self.app = app
        self.secret = secret
        self.inner: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Phone sockets need neither a session nor CSRF: going around both saves every one of
        # thousands of connections a few frames and closures (docs/performance.md).
        if scope["type"] == "lifespan" or (
                scope["type"] == "websocket" and scope["path"].endswith("/phone")):
            await self.app(scope, receive, send)
            return
        if self.inner is None:
            sessions = SessionMiddleware(
                self.app, secret_key=self.secret["value"], session_cookie="poll_session",
                same_site="lax", https_only=False, max_age=30 * 24 * 3600)
            self.inner = csrf_protection(sessions, self.secret["value"])
        await self.inner(scope, receive, send)


class PollApp(Starlette):
    """Starlette, with phone sockets answered before its middleware and router.

    Each of those layers keeps a coroutine frame (and some closures) alive for as long as a
    websocket is open: a few KB per phone, times thousands of phones (docs/performance.md).
    Phones need neither the session nor CSRF nor the error pages; every other request, and a
    phone socket under a root path, takes the usual way.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        debate_id = _phone_socket_debate(scope)
        if debate_id is not None:
            await phone_socket(scope, receive, send, debate_id)
        else:
            await super().__call__(scope, receive, send)


def _phone_socket_debate(scope: Scope) -> str | None:
    """The debate id when `scope` is a phone's websocket (the route `/ws/{debate_id}/{role}` of
    poll.routes, for role "phone"), else None."""
    if scope["type"] != "websocket":
        return None
    match = _PHONE_SOCKET.fullmatch(scope["path"])
    return None if match is None else match[1]


_PHONE_SOCKET = re.compile(r"/ws/([^/]+)/phone")


def create_app(settings: Settings) -> Starlette:
    """The ASGI app for `settings`; its lifespan opens the store and starts the hub."""
    secret = {"value": ""}
    base_url, _ = public_base_url(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        store = await SQLiteStore(settings.db_path, max_batch=settings.max_batch).open()
        secret["value"] = settings.session_secret or await store.secret("session_secret")
        hub = Hub(store, MemoryPubSub(), settings)
        await hub.start()
        try:
            yield {"hub": hub, "settings": settings, "base_url": base_url,
                   "limits": Limits(settings.max_connections, settings.max_connections_per_ip)}
        finally:
            await hub.stop()
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

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path, exc_info=exc)
        return error(request, 500, N_("Something went wrong"),
                     N_("The server could not handle this request. Please try again."))

    return PollApp(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(Hardening),
            Middleware(_SignedCookies, secret=secret),
        ],
        exception_handlers={PageError: page_error, HTTPException: http_error,
                            500: server_error},
    )
