"""Who a browser is: the debates it moderates, the projectors it may show, and whether it typed
the organiser password, in one signed cookie (Starlette's SessionMiddleware).

A moderator session holds the debate's key tag: replacing the moderator key gives the debate a
new tag, and every session made before stops working. A projector session holds a digest of the
projector key in the same way. Sessions and CSRF tokens are both keyed by a secret the lifespan
reads from the store, and the middleware stack is built before the lifespan runs:
`SignedCookies` makes the real middleware on the first request, once the secret is known.
"""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from ..model import Debate
from .csrf import csrf_protection

_MODERATES = "moderates"  # session slot: {debate id: key tag} of the debates this browser runs
_SCREENS = "screens"  # session slot: {debate id: projector key digest}
_NEW_KEY = "new_key"  # session slot: the moderator link shown once after creating a debate
_ADMIN = "admin"
MAX_DEBATES = 20  # per slot: keeps the signed cookie small; plenty for one moderator
SESSION_COOKIE = "poll_session"
SESSION_AGE = 30 * 24 * 3600


def _slot(conn: HTTPConnection, name: str) -> dict[str, str]:
    value: Any = conn.session.get(name)
    # A session of an earlier release kept a list here: it counts as empty.
    return {k: v for k, v in value.items() if isinstance(v, str)} if isinstance(value, dict) else {}


def _keep(conn: HTTPConnection, name: str, debate_id: str, value: str) -> None:
    slot = {k: v for k, v in _slot(conn, name).items() if k != debate_id}
    conn.session[name] = {**dict(list(slot.items())[-(MAX_DEBATES - 1):]), debate_id: value}


def _forget(conn: HTTPConnection, name: str, debate_id: str) -> None:
    slot = _slot(conn, name)
    if slot.pop(debate_id, None) is not None:
        conn.session[name] = slot


def _digest(screen_key: str) -> str:
    return hashlib.sha256(screen_key.encode()).hexdigest()[:16]


def is_moderator(conn: HTTPConnection, debate: Debate) -> bool:
    """Whether this browser signed in with the debate's current moderator key."""
    tag = _slot(conn, _MODERATES).get(debate.id)
    return tag is not None and tag == debate.key_tag


def grant_moderator(conn: HTTPConnection, debate: Debate) -> None:
    """This browser is the debate's moderator from now on (until the key is replaced)."""
    _keep(conn, _MODERATES, debate.id, debate.key_tag)


def may_watch(conn: HTTPConnection, debate: Debate) -> bool:
    """Whether this browser may show the debate's projector: it opened the projector link with
    the current projector key, or it is the debate's moderator."""
    digest = _slot(conn, _SCREENS).get(debate.id)
    return (digest is not None and digest == _digest(debate.screen_key)) or is_moderator(
        conn, debate)


def grant_screen(conn: HTTPConnection, debate: Debate) -> None:
    """This browser may show the debate's projector (until the projector key is replaced)."""
    _keep(conn, _SCREENS, debate.id, _digest(debate.screen_key))


def sign_out(conn: HTTPConnection, debate: Debate) -> None:
    """This browser is no longer the debate's moderator, nor its projector."""
    _forget(conn, _MODERATES, debate.id)
    _forget(conn, _SCREENS, debate.id)


def is_admin(conn: HTTPConnection) -> bool:
    """Whether this browser signed in with the organiser password."""
    return conn.session.get(_ADMIN) is True


def grant_admin(conn: HTTPConnection) -> None:
    """This browser typed the organiser password."""
    conn.session[_ADMIN] = True


def keep_new_key(conn: HTTPConnection, key: str) -> None:
    """Keep a new debate's moderator key in the session until the moderator page shows it, once
    (only a hash of it is stored)."""
    conn.session[_NEW_KEY] = key


def take_new_key(conn: HTTPConnection) -> str | None:
    """The key `keep_new_key` kept, and forget it."""
    key = conn.session.pop(_NEW_KEY, None)
    return key if isinstance(key, str) and key else None


class SignedCookies:
    """Sessions (Starlette's SessionMiddleware) and CSRF protection (poll.web.csrf), both keyed
    by `secret["value"]`, which the lifespan fills before the first request. `https`: the public
    address is https, so the cookies are Secure."""

    def __init__(self, app: ASGIApp, secret: dict[str, str], https: bool = False) -> None:
        self.app = app
        self.secret = secret
        self.https = https
        self.inner: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Phone sockets need neither a session nor CSRF: going around both saves every one of
        # thousands of connections a few frames and closures (docs/performance.md).
        if scope["type"] == "lifespan" or (
                scope["type"] == "websocket" and scope["path"].startswith("/j/")):
            await self.app(scope, receive, send)
            return
        if self.inner is None:
            sessions = SessionMiddleware(
                self.app, secret_key=self.secret["value"], session_cookie=SESSION_COOKIE,
                same_site="lax", https_only=self.https, max_age=SESSION_AGE)
            self.inner = csrf_protection(sessions, self.secret["value"], secure=self.https)
        await self.inner(scope, receive, send)
