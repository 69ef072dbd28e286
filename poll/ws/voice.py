"""What a phone's socket does with the room's voice: a reason, a +1, the floor, a +1 on a
proposal. Each is limited per phone and per address, done by the hub's voice desk, and answered
with one frame (an error is a Refusal, which the connection answers)."""

from __future__ import annotations

from ..i18n import N_
from ..live import Refusal, Room, Why, frames
from ..state import AppState
from . import messages


async def voice(app: AppState, room: Room, participant: str, address: str,
                message: messages.VoiceMessage) -> frames.Frame:
    """Do what the message asks; the frame that answers it."""
    desk, limits = app.hub.voice, app.limits
    match message:
        case messages.ReasonMessage(statement=statement, text=text):
            if not limits.reason(participant, address):
                raise Refusal(Why.RATE_LIMITED, N_("Too many reasons at once. Wait a moment."))
            return frames.reason_saved(await desk.give_reason(room, participant, statement,
                                                              text))
        case messages.ReasonRemoveMessage(reason=reason_id):
            if not limits.reason(participant, address):
                raise Refusal(Why.RATE_LIMITED, N_("Too many reasons at once. Wait a moment."))
            await desk.remove_reason(room, participant, reason_id)
            return frames.reason_removed(reason_id)
        case messages.PlusMessage(reason=reason_id, on=on):
            if not limits.plus(participant, address):
                raise Refusal(Why.RATE_LIMITED, N_("Too many +1s at once. Wait a moment."))
            await desk.plus_one(room, participant, reason_id, on)
            return frames.plus(reason_id, on)
        case messages.FloorMessage(name=name, withdraw=withdraw):
            if not limits.floor(participant, address):
                raise Refusal(Why.RATE_LIMITED, N_("Too many requests at once. Wait a moment."))
            if withdraw:
                await desk.withdraw(room, participant)
                return frames.floor_asked(None)
            return frames.floor_asked((await desk.ask_floor(room, participant, name)).token)
        case messages.ProposalPlusMessage(proposal=proposal_id, on=on):
            if not limits.plus(participant, address):
                raise Refusal(Why.RATE_LIMITED, N_("Too many +1s at once. Wait a moment."))
            await desk.plus_proposal(room, participant, proposal_id, on)
            return frames.proposal_plus(proposal_id, on)
