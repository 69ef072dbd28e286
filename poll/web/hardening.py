"""What every HTTP response gets: security headers (a strict Content-Security-Policy and friends;
scripts and stylesheets only nosniff), and a cap on request bodies."""

from __future__ import annotations

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


# Scripts and stylesheets are no documents: a policy, framing or referrer rule sent with them
# governs nothing (there are no workers, whose script's policy would apply), so they get only
# nosniff, which makes the browser refuse a script or stylesheet served under another type.
# About 370 bytes less on each of the ten files a phone loads (docs/performance.md, issue 14).
SUBRESOURCE_TYPES = (b"text/javascript", b"text/css")
SUBRESOURCE_HEADERS: tuple[tuple[bytes, bytes], ...] = ((b"x-content-type-options", b"nosniff"),)


class BodyTooLarge(Exception):
    """A request body grew past the limit while it was being read."""


# Served over https (the public address is https): browsers keep to https for a year.
HSTS = (b"strict-transport-security", b"max-age=31536000")


def security_headers(content_type: bytes, hsts: bool) -> tuple[tuple[bytes, bytes], ...]:
    """The headers a response of `content_type` gets (b"" for a response without a body type):
    scripts and stylesheets only nosniff, everything else the whole set; HSTS too if `hsts`."""
    extra = SUBRESOURCE_HEADERS if content_type.startswith(SUBRESOURCE_TYPES) else SECURITY_HEADERS
    return (*extra, HSTS) if hsts else extra


class Hardening:
    """ASGI middleware: security headers on every HTTP response (HSTS too when `hsts`; scripts
    and stylesheets get nosniff and HSTS only), and a cap on request bodies (413 when
    Content-Length says too much; a body that grows past it mid-stream is refused by the form
    reader with a 400)."""

    def __init__(self, app: ASGIApp, max_body: int = 1024 * 1024, hsts: bool = False) -> None:
        self.app = app
        self.max_body = max_body
        self.headers = security_headers(b"", hsts)
        self.subresource_headers = security_headers(SUBRESOURCE_TYPES[0], hsts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower(): value for name, value in headers}
                subresource = present.get(b"content-type", b"").startswith(SUBRESOURCE_TYPES)
                extra = self.subresource_headers if subresource else self.headers
                headers.extend(h for h in extra if h[0] not in present)
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
