"""The room's voice as plain forms, for phones without JavaScript (and scripts, as JSON): a reason
with the vote, taking it back, +1s on reasons and proposals, asking for the floor and withdrawing.
Each form is read into the message the socket would get and done by the same `poll.ws.voice`
(the limits, the checks, the answer frame), then answered with a 303 back to the vote page, or
that frame as JSON."""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from ...i18n import N_
from ...limits import client_address
from ...live import Refusal, Why
from ...model import MAX_FIRST_NAME
from ...store import StoreError
from ...text import clean
from ...ws import messages
from ...ws.voice import voice
from ._common import PageError, field, flag_field, form, int_field, state
from .vote import back, participant_of_phone, room_from_code, vote_page_after

Read = Callable[[FormData], messages.VoiceMessage]  # a form as the socket's message, or a Refusal


async def _act(request: Request, read: Read) -> Response:
    """Read the form into a voice message, do it, and answer as the socket would."""
    room = await room_from_code(request)
    data = await form(request)
    participant = participant_of_phone(request)
    try:
        answer = await voice(state(request), room, participant, client_address(request),
                             read(data))
    except Refusal as refusal:
        return vote_page_after(request, room, refusal, participant)
    except StoreError:
        raise PageError(503, N_("Not saved"), N_("This could not be saved. Please try again."),
                        lang=room.debate.lang, code=Why.NOT_SAVED.value) from None
    return back(request, room, participant, answer)


def _on(data: FormData) -> bool:
    return field(data, "on") != "0"


def _floor(data: FormData) -> messages.VoiceMessage:
    if flag_field(data, "withdraw"):
        return messages.FloorMessage("", withdraw=True)
    name = clean(field(data, "name"))
    if len(name) > MAX_FIRST_NAME:
        raise Refusal(Why.BAD_MESSAGE, N_("A first name can be at most 40 characters."))
    return messages.FloorMessage(name)


async def give_reason(request: Request) -> Response:
    """Fields `statement`, `text`: this phone's reason for its vote (new or edited)."""
    return await _act(request, lambda data: messages.ReasonMessage(
        int_field(data, "statement"), field(data, "text"), None))


async def remove_reason(request: Request) -> Response:
    """Field `reason`: the phone takes its reason back."""
    return await _act(request, lambda data: messages.ReasonRemoveMessage(
        int_field(data, "reason", N_("Say which reason."))))


async def plus_one(request: Request) -> Response:
    """Fields `reason`, `on` (1, or 0 to undo): a +1 on another phone's reason."""
    return await _act(request, lambda data: messages.PlusMessage(
        int_field(data, "reason", N_("Say which reason.")), _on(data)))


async def floor(request: Request) -> Response:
    """Field `name` (optional): ask for the floor; `withdraw=1`: take the request back."""
    return await _act(request, _floor)


async def plus_proposal(request: Request) -> Response:
    """Fields `proposal`, `on`: a +1 on a proposal waiting for the moderator."""
    return await _act(request, lambda data: messages.ProposalPlusMessage(
        int_field(data, "proposal", N_("Say which proposal.")), _on(data)))
