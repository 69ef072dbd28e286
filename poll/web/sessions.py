"""Who a browser is: moderator and organiser sessions (a signed cookie, Starlette's
SessionMiddleware), and the phones' anonymous participant ids (a cookie of their own).

Sessions and CSRF tokens are both keyed by a secret the lifespan reads from the store, and the
middleware stack is built before the lifespan runs: `SignedCookies` makes the real middleware on
the first request, once the secret is known.
"""

from __future__ import annotations

import re
import secrets

from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .csrf import csrf_protection

PARTICIPANT_COOKIE = "poll_participant"
_PARTICIPANT = re.compile(r"^p_[A-Za-z0-9_-]{8,64}$")
_SESSION_KEY = "moderates"  # session slot: the debates this browser moderates
_NEW_KEY = "new_key"  # session slot: the moderator link shown once after creating a debate


def new_participant() -> str:
    """A fresh anonymous participant id for a phone."""
    return "p_" + secrets.token_urlsafe(12)


def participant_of(conn: HTTPConnection) -> str | None:
    """The phone's participant id from its cookie, when it has a well-formed one."""
    value = conn.cookies.get(PARTICIPANT_COOKIE)
    return value if value and _PARTICIPANT.match(value) else None


def remember_participant(response: Response, participant: str, *, secure: bool = False) -> None:
    # HttpOnly: page scripts never need it (the server tells the page its id in `welcome`).
    response.set_cookie(
        PARTICIPANT_COOKIE, participant, max_age=365 * 24 * 3600, httponly=True,
        samesite="lax", secure=secure,
    )


def is_moderator(conn: HTTPConnection, debate_id: str) -> bool:
    """Whether this browser signed in with the debate's moderator key."""
    return debate_id in conn.session.get(_SESSION_KEY, [])


def is_admin(conn: HTTPConnection) -> bool:
    """Whether this browser signed in with the organiser password."""
    return conn.session.get("admin") is True


def grant_admin(conn: HTTPConnection) -> None:
    """This browser typed the organiser password."""
    conn.session["admin"] = True


def keep_new_key(conn: HTTPConnection, key: str) -> None:
    """Keep a new debate's moderator key in the session until the moderator page shows it, once
    (only a hash of it is stored)."""
    conn.session[_NEW_KEY] = key


def take_new_key(conn: HTTPConnection) -> str | None:
    """The key `keep_new_key` kept, and forget it."""
    key = conn.session.pop(_NEW_KEY, None)
    return key if isinstance(key, str) and key else None


def grant_moderator(conn: HTTPConnection, debate_id: str) -> None:
    """This browser is the debate's moderator from now on."""
    debates = [d for d in conn.session.get(_SESSION_KEY, []) if d != debate_id]
    # Keep the signed cookie small: the 20 most recent debates are plenty for one moderator.
    conn.session[_SESSION_KEY] = [*debates[-19:], debate_id]


class SignedCookies:
    """Sessions (Starlette's SessionMiddleware) and CSRF protection (poll.web.csrf), both keyed
    by `secret["value"]`, which the lifespan fills before the first request."""

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
