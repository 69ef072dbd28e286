"""The websocket endpoints: `/j/{code}/ws` for phones, `/ws/{debate_id}/{role}` for the projector
and the moderator. Each checks who is asking, then hands the socket to its `Connection`.

Phone sockets, thousands per debate, come straight from `poll.app.PollApp`, around Starlette's
middleware and router (`phone_socket`); screens and moderators come through the router, since
they need the session (`debate_socket`). Both speak plain ASGI from there on. A phone connects by
join code, so nothing a phone receives names the debate's id, which with the projector's key
would open the projector.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from ..i18n import preferred_language
from ..limits import client_address
from ..model import Audience, Debate
from ..state import AppState, app_state
from ..web.participants import new_participant
from ..web.sessions import is_moderator, may_watch
from .connection import CLOSE_TRY_LATER, Connection, close
from .protocol import SEND_NOW

# Close codes in the 4000 range are ours (docs/protocol.md): the page can tell a wrong link from a
# network that is down, and gives up instead of reconnecting for ever.
CLOSE_BAD_ROLE = 4400
CLOSE_UNAUTHORISED = 4401
CLOSE_UNKNOWN = 4404

Allowed = Callable[[Debate], bool]


def phone_socket(scope: Scope, receive: Receive, send: Send, code: str) -> Awaitable[None]:
    """ASGI endpoint for `/j/{code}/ws` (the coroutine to await): what `debate_socket` does, for a
    phone, without a Starlette WebSocket kept alive for each of thousands of phones. A plain
    function, so that it keeps no frame of its own alive either: what the connection needs is
    read from the request here, and the request let go."""
    request = HTTPConnection(scope)
    app = app_state(scope)
    return _serve(receive, send, app, Audience.PHONE, code[:32], by_code=True,
                  address=client_address(request),
                  same_site=same_site(request.headers, app.urls.base_url),
                  participant=app.participants.read(request) or new_participant(),
                  lang=preferred_language(request.headers.get("accept-language"), default=""),
                  allowed=_anyone, send_now=scope.get("extensions", {}).get(SEND_NOW))


async def phone_socket_route(websocket: WebSocket) -> None:
    """`/j/{code}/ws` through the router (when the app runs under a root path)."""
    await phone_socket(websocket.scope, websocket.receive, websocket.send,
                       websocket.path_params["code"])


async def debate_socket(websocket: WebSocket) -> None:
    """`/ws/{debate_id}/{role}`: the projector (with its key's session, or the moderator's) and
    the moderator (with the session of the current moderator key)."""
    app = app_state(websocket.scope)
    role = websocket.path_params["role"]
    debate_id = websocket.path_params["debate_id"]
    audience = Audience(role) if role in (Audience.SCREEN, Audience.MODERATOR) else None
    allowed: Allowed = (lambda debate: is_moderator(websocket, debate)) \
        if audience is Audience.MODERATOR else (lambda debate: may_watch(websocket, debate))
    await _serve(websocket.receive, websocket.send, app, audience, debate_id, by_code=False,
                 address=client_address(websocket),
                 same_site=same_site(websocket.headers, app.urls.base_url), participant=None,
                 lang="", allowed=allowed)


def _anyone(debate: Debate) -> bool:
    return True


async def _serve(receive: Receive, send: Send, app: AppState, audience: Audience | None,
                 debate: str, *, by_code: bool, address: str, same_site: bool,
                 participant: str | None, lang: str, allowed: Allowed,
                 send_now: Callable[[str], bool] | None = None) -> None:
    """Check the origin and the limits, accept, check the role, the debate (an id, or a join code
    when `by_code`) and `allowed`, then run the connection. `lang`: the reader's language for
    error messages ("" for the debate's); `send_now`: the server's way to write a frame without
    awaiting `send` (phones only: their `send` is the server's own, with no middleware that
    would miss the frames). Nothing here outlives the handshake but what the
    connection needs: thousands of phones keep this frame alive."""
    if (await receive())["type"] != "websocket.connect":
        return
    if not same_site:
        # Another site's page opening a socket with this browser's cookies: no answer at all
        # (a close before the accept is an HTTP 403).
        await close(send, 1008, "cross-site")
        return
    # Accept before refusing, so the page gets a close code it can act on instead of an HTTP 403.
    await send({"type": "websocket.accept"})
    limits = app.limits
    if not limits.open_socket(address):
        await close(send, CLOSE_TRY_LATER, "too many connections")
        return
    try:
        if audience is None:
            await close(send, CLOSE_BAD_ROLE, "unknown role")
            return
        room = await (app.hub.by_code(debate) if by_code else app.hub.get(debate))
        if room is None:
            await close(send, CLOSE_UNKNOWN, "unknown debate")
            return
        if not allowed(room.debate):
            await close(send, CLOSE_UNAUTHORISED, "the projector or moderator link is needed")
            return
        connection = Connection(app, room, audience, participant, address, send,
                                lang or room.debate.lang, send_now)
        await connection.run(receive)
    finally:
        limits.close_socket(address)


def same_site(headers: Headers, base_url: str) -> bool:
    """Whether a websocket handshake comes from one of our own pages: no Origin (not a browser:
    a script, the benchmarks), or an Origin whose host is the one the request was sent to or
    the public address."""
    origin = headers.get("origin")
    if origin is None:
        return True
    host = urlsplit(origin).netloc.lower()
    return bool(host) and host in (headers.get("host", "").lower(),
                                   urlsplit(base_url).netloc.lower())
