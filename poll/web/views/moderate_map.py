"""The moderator puts the opinion map, or how minds moved between a statement's two rounds, on
the projector, or takes it off. The projector shows one of them at a time."""

from __future__ import annotations

from dataclasses import replace

from starlette.requests import Request
from starlette.responses import Response

from ...i18n import N_
from ...live import Refusal, Room, Why, places
from ._common import PageError, field, form, moderated, state
from .moderate import done


async def _shown(request: Request, room: Room) -> bool:
    """The form's `show`: `1` on, `0` off (anything else is a 400)."""
    show = field(await form(request), "show")
    if show not in ("0", "1"):
        raise PageError(400, N_("Bad request"), N_("Say whether to show it."),
                        lang=room.debate.lang)
    return show == "1"


async def show_map(request: Request) -> Response:
    """Field `show`: `1` puts the map on the projector (and lets phones see their group), `0`
    takes it off. It goes off by itself when another statement goes on stage."""
    room = await moderated(request)
    on = await _shown(request, room)
    async with room.lock:  # the screens get the map with the new state (hub.publish_state)
        if on:
            places.forget(room)  # every phone asks for its line now; pushes start afresh
        stage = replace(room.debate.stage, show_map=on,
                        show_moves=room.debate.stage.show_moves and not on)
        await state(request).hub.set_stage(room, stage)
    return done(request, room)


async def show_moves(request: Request) -> Response:
    """Field `show`: `1` puts how minds moved on the statement on stage (between its two
    rounds) on the projector, `0` takes it off; 409 while the statement is in its first round.
    It goes off by itself when another statement goes on stage."""
    room = await moderated(request)
    on = await _shown(request, room)
    async with room.lock:  # the screens get the moves with the new state's results
        stage = room.debate.stage
        if on and stage.round < 2:
            raise PageError.refused(Refusal(Why.NO_ROUND, N_(
                "How minds moved needs a second round of this statement.")), room.debate.lang)
        await state(request).hub.set_stage(room, replace(
            stage, show_moves=on, show_map=stage.show_map and not on))
    return done(request, room)
