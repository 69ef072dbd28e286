"""The moderator puts the opinion map on the projector, or takes it off."""

from __future__ import annotations

from dataclasses import replace

from starlette.requests import Request
from starlette.responses import Response

from ...i18n import N_
from ._common import PageError, field, form, moderated, state
from .moderate import done


async def show_map(request: Request) -> Response:
    """Field `show`: `1` puts the map on the projector (and lets phones see their group), `0`
    takes it off. It goes off by itself when another statement goes on stage."""
    room = await moderated(request)
    show = field(await form(request), "show")
    if show not in ("0", "1"):
        raise PageError(400, N_("Bad request"), N_("Say whether to show the map."),
                        lang=room.debate.lang)
    async with room.lock:  # the screens get the map with the new state (hub.publish_state)
        await state(request).hub.set_stage(room, replace(room.debate.stage, show_map=show == "1"))
    return done(request, room)
