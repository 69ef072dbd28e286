"""Who may do what: moderator and organiser sessions, the phones' anonymous participant ids, rate
and connection limits, and the HTTP hardening every response gets (security headers, CSRF, a cap
on request bodies)."""

from __future__ import annotations

import re
import secrets
import time
from collections import Counter

from asgi_csrf import asgi_csrf
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


def is_admin(conn: HTTPConnection) -> bool:
    """Whether this browser signed in with the organiser password."""
    return conn.session.get("admin") is True


def grant_admin(conn: HTTPConnection) -> None:
    conn.session["admin"] = True


def grant_moderator(conn: HTTPConnection, debate_id: str) -> None:
    debates = [d for d in conn.session.get(_SESSION_KEY, []) if d != debate_id]
    # Keep the signed cookie small: the 20 most recent debates are plenty for one moderator.
    conn.session[_SESSION_KEY] = [*debates[-19:], debate_id]


# -- limits ----------------------------------------------------------------------------------

class _Windows:
    """Fixed-window counters that reset all at once when the window turns: no timers, no threads.

    Written here rather than taken from the `limits` package: its in-memory storage walks every key
    from a new timer thread every few milliseconds, 17 % of the server's time in a 10,000-phone vote
    burst (docs/performance.md). Memory is bounded by the keys seen in one window.
    """

    __slots__ = ("_counts", "_window", "limit", "seconds")

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self._window = -1
        self._counts: dict[str, int] = {}

    def hit(self, key: str) -> bool:
        """Count one event for `key`; False when it is over the limit in this window."""
        window = int(time.monotonic() // self.seconds)
        if window != self._window:
            self._window, self._counts = window, {}
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        return count <= self.limit


class Limits:
    """Rate limits and caps on open sockets.

    Sized for a room: hundreds of phones behind one venue NAT address must not be blocked, so the
    per-address limits are far above what a room does and only stop one host flooding the server;
    the per-device vote limit stops a script from hammering the writer from one phone.
    """

    def __init__(self, max_connections: int, max_connections_per_ip: int) -> None:
        self.votes_per_device = _Windows(20, 10)
        self.votes_per_address = _Windows(5000, 10)
        self.posts_per_address = _Windows(600, 10)
        self.connects_per_address = _Windows(2000, 10)
        # a person types a statement in well over 20 s; this stops scripts, not people
        self.proposals_per_device = _Windows(3, 60)
        self.proposals_per_address = _Windows(300, 60)
        self.max_connections = max_connections
        self.max_connections_per_ip = max_connections_per_ip
        self.open_sockets: Counter[str] = Counter()
        self.total_sockets = 0

    def vote(self, participant: str, address: str) -> bool:
        """Whether this vote is within the limits (and count it)."""
        return self.votes_per_device.hit(participant) and self.votes_per_address.hit(address)

    def propose(self, participant: str, address: str) -> bool:
        """Whether this proposed statement is within the limits (and count it)."""
        return (self.proposals_per_device.hit(participant)
                and self.proposals_per_address.hit(address))

    def post(self, address: str) -> bool:
        """Whether this form POST is within the limits (and count it)."""
        return self.posts_per_address.hit(address)

    def open_socket(self, address: str) -> bool:
        """Claim a socket slot for `address`; False when a cap or the connect rate says no."""
        if self.total_sockets >= self.max_connections:
            return False
        if self.open_sockets[address] >= self.max_connections_per_ip:
            return False
        if not self.connects_per_address.hit(address):
            return False
        self.open_sockets[address] += 1
        self.total_sockets += 1
        return True

    def close_socket(self, address: str) -> None:
        self.open_sockets[address] -= 1
        if self.open_sockets[address] <= 0:
            del self.open_sockets[address]
        self.total_sockets -= 1


def client_address(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client else "unknown"


# -- HTTP hardening ----------------------------------------------------------------------------

# No inline scripts or styles anywhere (pages pass data as JSON in <script type="application/json">,
# which is not executed); websockets go to our own origin; nothing may frame the pages.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # The moderator link carries its key in the query string until the redirect drops it.
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)


def csrf_protection(app: ASGIApp, secret: str) -> ASGIApp:
    """Double-submit CSRF tokens (asgi-csrf): every POST that carries cookies must repeat the
    signed `csrftoken` cookie in a form field or the `x-csrftoken` header. Pages get the token
    from `request.scope["csrftoken"]()` (see poll.pages.render)."""
    async def app_entered(scope: Scope, receive: Receive, send: Send) -> None:
        scope["poll.csrf_passed"][0] = True  # asgi-csrf copies the scope; the list is shared
        await app(scope, receive, send)

    protected = asgi_csrf(app_entered, signing_secret=secret, send_csrf_failed=_csrf_failed)

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"")
        if scope["type"] == "http" and content_type.startswith(b"multipart/"):
            # Every form here is URL-encoded; refusing multipart also keeps bodies away from
            # asgi-csrf's multipart reader, which breaks on current python-multipart.
            await PlainTextResponse("Send forms URL-encoded.", status_code=415)(
                scope, receive, send)
            return
        passed = [False]
        try:
            await protected({**scope, "poll.csrf_passed": passed}, receive, send)
        except (UnicodeDecodeError, AssertionError, IndexError, ValueError):
            # asgi-csrf reads form bodies itself and raises on malformed ones (invalid UTF-8):
            # that is the client's mistake, a 400. Errors from the app itself are not ours to hide.
            if passed[0]:
                raise
            await PlainTextResponse("The form could not be read.", status_code=400)(
                scope, receive, send)

    return guarded


async def _csrf_failed(scope: Scope, send: Send, message_id: object) -> None:
    response = PlainTextResponse(
        "This form has expired or came from another site. Go back, reload the page and try "
        "again.", status_code=403)
    await response(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


class BodyTooLarge(Exception):
    """A request body grew past the limit while it was being read."""


class Hardening:
    """ASGI middleware: security headers on every HTTP response, and a cap on request bodies
    (413 when Content-Length says too much; a body that grows past it mid-stream is refused by
    the form reader with a 400)."""

    def __init__(self, app: ASGIApp, max_body: int = 1024 * 1024) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name for name, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        length = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.max_body:
            response = PlainTextResponse(
                "Request too large." if length.isdigit() else "Bad Content-Length.",
                status_code=413 if length.isdigit() else 400)
            await response(scope, receive, send_with_headers)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body:
                raise BodyTooLarge
            return message

        await self.app(scope, limited_receive, send_with_headers)
