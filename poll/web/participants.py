"""The phones' anonymous participant ids, in a cookie the server signs.

A phone gets its id the first time it opens a vote page; the cookie carries the id and an HMAC
of it (itsdangerous, keyed by the server's secret), so nobody can take another participant's id
or mint ids without the server. A cookie that is unsigned, forged or malformed counts as none:
the phone is given a new id.
"""

from __future__ import annotations

import re
import secrets

from itsdangerous import BadSignature, Signer
from starlette.requests import HTTPConnection
from starlette.responses import Response

COOKIE = "poll_participant"
_ID = re.compile(r"^p_[A-Za-z0-9_-]{8,64}$")
MAX_AGE = 365 * 24 * 3600


def new_participant() -> str:
    """A fresh anonymous participant id for a phone."""
    return "p_" + secrets.token_urlsafe(12)


class ParticipantCookies:
    """Reads and writes the signed participant cookie."""

    def __init__(self, secret: str, *, secure: bool = False) -> None:
        self._signer = Signer(secret, salt="poll.participant")
        self.secure = secure  # the public address is https: the cookie never travels in clear

    def read(self, conn: HTTPConnection) -> str | None:
        """The participant id this browser's cookie proves, or None."""
        value = conn.cookies.get(COOKIE)
        if not value:
            return None
        try:
            participant = self._signer.unsign(value).decode("ascii")
        except (BadSignature, UnicodeDecodeError):
            return None
        return participant if _ID.match(participant) else None

    def signed(self, participant: str) -> str:
        """The cookie's value for this participant id."""
        return self._signer.sign(participant).decode("ascii")

    def give(self, response: Response, participant: str, *, https: bool = False) -> None:
        """Set (or renew) the cookie on a response (`https`: the request came over https)."""
        # HttpOnly: page scripts never need it (the server tells the page its id in `welcome`).
        response.set_cookie(COOKIE, self.signed(participant), max_age=MAX_AGE, httponly=True,
                            samesite="lax", secure=self.secure or https)
