"""Who may do what: moderator keys and sessions, and the phones' anonymous participant ids."""

from __future__ import annotations

import re
import secrets

from starlette.requests import HTTPConnection
from starlette.responses import Response

PARTICIPANT_COOKIE = "poll_participant"
_PARTICIPANT = re.compile(r"^p_[A-Za-z0-9_-]{8,64}$")
_SESSION_KEY = "moderates"


def new_participant() -> str:
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


def grant_moderator(conn: HTTPConnection, debate_id: str) -> None:
    debates = [d for d in conn.session.get(_SESSION_KEY, []) if d != debate_id]
    # Keep the signed cookie small: the 20 most recent debates are plenty for one moderator.
    conn.session[_SESSION_KEY] = [*debates[-19:], debate_id]
