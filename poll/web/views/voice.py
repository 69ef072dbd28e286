"""The room's voice as plain forms, for phones without JavaScript (and scripts, as JSON): a reason
with the vote, taking it back, +1s on reasons and proposals, asking for the floor and withdrawing.
Each answers with a 303 back to the vote page, or the same frame the socket would send."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ...i18n import N_
from ...limits import client_address
from ...live import Refusal, Why, frames
from ...model import MAX_FIRST_NAME
from ...store import StoreError
from ...text import clean
from ._common import PageError, field, flag_field, form, int_field, state
from .vote import back, participant_of_phone, room_from_code, vote_page_after


async def give_reason(request: Request) -> Response:
    """Fields `statement`, `text`: this phone's reason for its vote (new or edited)."""
    room = await room_from_code(request)
    data = await form(request)
    participant = participant_of_phone(request)
    app = state(request)
    try:
        if not app.limits.reason(participant, client_address(request)):
            raise Refusal(Why.RATE_LIMITED, N_("Too many reasons at once. Wait a moment."))
        reason = await app.hub.voice.give_reason(room, participant, int_field(data, "statement"),
                                                 field(data, "text"))
    except Refusal as refusal:
        return vote_page_after(request, room, refusal, participant)
    except StoreError:
        raise PageError(503, N_("Not saved"), N_("This could not be saved. Please try again."),
                        lang=room.debate.lang, code=Why.NOT_SAVED.value) from None
    return back(request, room, participant, frames.reason_saved(reason))


async def remove_reason(request: Request) -> Response:
    """Field `reason`: the phone takes its reason back."""
    room = await room_from_code(request)
    data = await form(request)
    participant = participant_of_phone(request)
    reason_id = int_field(data, "reason", N_("Say which reason."))
    try:
        await state(request).hub.voice.remove_reason(room, participant, reason_id)
    except Refusal as refusal:
        return vote_page_after(request, room, refusal, participant)
    return back(request, room, participant, frames.reason_removed(reason_id))


async def plus_one(request: Request) -> Response:
    """Fields `reason`, `on` (1, or 0 to undo): a +1 on another phone's reason."""
    room = await room_from_code(request)
    data = await form(request)
    participant = participant_of_phone(request)
    reason_id = int_field(data, "reason", N_("Say which reason."))
    on = field(data, "on") != "0"
    app = state(request)
    try:
        if not app.limits.plus(participant, client_address(request)):
            raise Refusal(Why.RATE_LIMITED, N_("Too many +1s at once. Wait a moment."))
        await app.hub.voice.plus_one(room, participant, reason_id, on)
    except Refusal as refusal:
        return vote_page_after(request, room, refusal, participant)
    return back(request, room, participant, frames.plus(reason_id, on))


async def floor(request: Request) -> Response:
    """Field `name` (optional): ask for the floor; `withdraw=1`: take the request back."""
    room = await room_from_code(request)
    data = await form(request)
    participant = participant_of_phone(request)
    app = state(request)
    name = clean(field(data, "name"))
    try:
        if len(name) > MAX_FIRST_NAME:
            raise Refusal(Why.BAD_MESSAGE, N_("A first name can be at most 40 characters."))
        if not app.limits.floor(participant, client_address(request)):
            raise Refusal(Why.RATE_LIMITED, N_("Too many requests at once. Wait a moment."))
        if flag_field(data, "withdraw"):
            await app.hub.voice.withdraw(room, participant)
            return back(request, room, participant, frames.floor_asked(None))
        request_made = await app.hub.voice.ask_floor(room, participant, name)
    except Refusal as refusal:
        return vote_page_after(request, room, refusal, participant)
    return back(request, room, participant, frames.floor_asked(request_made.token))


async def plus_proposal(request: Request) -> Response:
    """Fields `proposal`, `on`: a +1 on a proposal waiting for the moderator."""
    room = await room_from_code(request)
    data = await form(request)
    participant = participant_of_phone(request)
    proposal_id = int_field(data, "proposal", N_("Say which proposal."))
    on = field(data, "on") != "0"
    app = state(request)
    try:
        if not app.limits.plus(participant, client_address(request)):
            raise Refusal(Why.RATE_LIMITED, N_("Too many +1s at once. Wait a moment."))
        await app.hub.voice.plus_proposal(room, participant, proposal_id, on)
    except Refusal as refusal:
        return vote_page_after(request, room, refusal, participant)
    return back(request, room, participant, frames.proposal_plus(proposal_id, on))
