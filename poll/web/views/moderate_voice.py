"""The moderator's hand on the room's voice: hide, show or approve a reason, put one on the
projector (or take it off), and give the floor to the next of a side."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ...i18n import N_
from ...live import Refusal
from ._common import PageError, field, form, moderated, state
from .moderate import done


async def reason(request: Request) -> Response:
    """Field `action`: `hide`, `show`, `approve` (a held reason), `spotlight` (on the projector)."""
    room = await moderated(request)
    action = field(await form(request), "action")
    reason_id = request.path_params["reason_id"]
    desk = state(request).hub.voice
    try:
        if action == "spotlight":
            await desk.spotlight(room, reason_id)
        else:
            await desk.moderate(room, reason_id, action)
    except Refusal as refusal:
        raise PageError.refused(refusal, room.debate.lang) from None
    return done(request, room)


async def spotlight_off(request: Request) -> Response:
    """Take the reason off the projector."""
    room = await moderated(request)
    await form(request)  # the CSRF check reads the form
    await state(request).hub.voice.spotlight(room, None)
    return done(request, room)


async def next_speaker(request: Request) -> Response:
    """Field `side`: `agree`, `disagree`, `neutral` or `any`: the longest waiting of that side
    gets the floor."""
    room = await moderated(request)
    side = field(await form(request), "side")
    if side not in ("agree", "disagree", "neutral", "any"):
        raise PageError(400, N_("Bad request"), N_("Choose a side."), lang=room.debate.lang)
    try:
        await state(request).hub.voice.call_next(room, side)
    except Refusal as refusal:
        raise PageError.refused(refusal, room.debate.lang) from None
    return done(request, room)

