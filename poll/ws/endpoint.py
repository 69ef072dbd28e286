"""The websocket endpoint `/ws/{debate_id}/{role}`: accept, check, then hand the socket to its
`Connection`.

Phone sockets, thousands per debate, come straight from `poll.app.PollApp`, around Starlette's
middleware and router (`phone_socket`); screens and moderators come through the router, since
the moderator's needs the session (`debate_socket`). Both speak plain ASGI from there on.
"""

from __future__ import annotations

from collections.abc import Awaitable

from starlette.requests import HTTPConnection
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from ..i18n import preferred_language
from ..limits import client_address
from ..model import Audience
from ..state import AppState, app_state
from ..web.sessions import is_moderator, new_participant, participant_of
from .connection import CLOSE_TRY_LATER, Connection, close

# Close codes in the 4000 range are ours (docs/protocol.md): the page can tell a wrong link from a
# network that is down, and gives up instead of reconnecting for ever.
CLOSE_BAD_ROLE = 4400
CLOSE_UNAUTHORISED = 4401
CLOSE_UNKNOWN = 4404


def phone_socket(scope: Scope, receive: Receive, send: Send, debate_id: str) -> Awaitable[None]:
    """ASGI endpoint for `/ws/{debate_id}/phone` (the coroutine to await): what `debate_socket`
    does for a phone, without a Starlette WebSocket kept alive for each of thousands of phones.
    A plain function, so that it keeps no frame of its own alive either."""
    request = HTTPConnection(scope)  # read here and let go
    return _serve(receive, send, app_state(scope), client_address(request), debate_id,
                  Audience.PHONE.value, participant_of(request), allowed=True,
                  accept_language=request.headers.get("accept-language"))


async def debate_socket(websocket: WebSocket) -> None:
    """`/ws/{debate_id}/{role}` through the router: snapshot on connect, then live frames."""
    debate_id = websocket.path_params["debate_id"]
    role = websocket.path_params["role"]
    phone = role == Audience.PHONE.value
    await _serve(websocket.receive, websocket.send, app_state(websocket.scope),
                 client_address(websocket), debate_id, role,
                 participant_of(websocket) if phone else None,
                 allowed=role != Audience.MODERATOR.value or is_moderator(websocket, debate_id),
                 accept_language=websocket.headers.get("accept-language"))


async def _serve(receive: Receive, send: Send, app: AppState, address: str, debate_id: str,
                 role: str, participant: str | None, *, allowed: bool,
                 accept_language: str | None = None) -> None:
    """Accept, check the limits, the role, the debate and `allowed`, then run the connection."""
    if (await receive())["type"] != "websocket.connect":
        return
    # Accept before refusing, so the page gets a close code it can act on instead of an HTTP 403.
    await send({"type": "websocket.accept"})
    limits = app.limits
    if not limits.open_socket(address):
        await close(send, CLOSE_TRY_LATER, "too many connections")
        return
    try:
        try:
            audience = Audience(role)
        except ValueError:
            await close(send, CLOSE_BAD_ROLE, "unknown role")
            return
        room = await app.hub.get(debate_id)
        if room is None:
            await close(send, CLOSE_UNKNOWN, "unknown debate")
            return
        if not allowed:
            await close(send, CLOSE_UNAUTHORISED, "moderator key needed")
            return
        lang = room.debate.lang
        if audience is Audience.PHONE:
            participant = participant or new_participant()
            # error messages in the phone's language, by the same rule as its page
            lang = preferred_language(accept_language, default=lang)
        connection = Connection(app, room, audience, participant, address, send, lang)
        await connection.run(receive)
    finally:
        limits.close_socket(address)

