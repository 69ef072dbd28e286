"""CSRF protection for every form and script POST: double-submit tokens (asgi-csrf, as Datasette
uses)."""

from __future__ import annotations

from asgi_csrf import asgi_csrf
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def csrf_protection(app: ASGIApp, secret: str, *, secure: bool = False) -> ASGIApp:
    """Double-submit CSRF tokens (asgi-csrf): every POST that carries cookies must repeat the
    signed `csrftoken` cookie in a form field or the `x-csrftoken` header. Pages get the token
    from `request.scope["csrftoken"]()` (see poll.web.pages.render). `secure`: the cookie only
    travels over https."""
    async def app_entered(scope: Scope, receive: Receive, send: Send) -> None:
        scope["poll.csrf_passed"][0] = True  # asgi-csrf copies the scope; the list is shared
        await app(scope, receive, send)

    protected = asgi_csrf(app_entered, signing_secret=secret, send_csrf_failed=_csrf_failed,
                          cookie_secure=secure)

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
        except TypeError:
            # A token with non-ASCII characters: asgi-csrf's compare_digest cannot compare it,
            # and it is no token of ours anyway, so this is a wrong token like any other.
            if passed[0]:
                raise
            await _csrf_failed(scope, send, None)
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
