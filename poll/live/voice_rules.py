"""The rules of the room's voice, as pure functions: who may give a reason and when, who sees the
reasons, who may +1 what, and who may ask for the floor. Each refusal is a `Refusal`."""

from __future__ import annotations

import re

from ..i18n import N_
from ..model import (
    MAX_REASON,
    Audience,
    Debate,
    FloorRequest,
    FloorStatus,
    Phase,
    Reason,
    ReasonsShown,
)
from .refusals import Refusal, Why
from .room import Room
from .rules import results_visible

MAX_REASONS_SHOWN = 5  # per stance, to phones and the projector: the room's ranking, in short


def reasons_visible(debate: Debate, audience: Audience) -> bool:
    """Whether this audience sees the reasons of the statement on stage: the moderator always;
    the room as the debate's setting says (by default while it may see the results, so nobody
    is swayed before voting)."""
    if audience is Audience.MODERATOR:
        return True
    match debate.settings.reasons:
        case ReasonsShown.ALWAYS:
            return True
        case ReasonsShown.NEVER:
            return False
    return results_visible(debate, audience)


def check_reason(room: Room, participant: str, statement_id: int, text: str) -> int:
    """The round a reason goes to, or a Refusal: voting must be open on the statement on stage,
    this phone must have voted there (a reason goes with a vote), and the text be 1 to
    MAX_REASON characters."""
    stage = room.debate.stage
    if stage.statement_id != statement_id:
        raise Refusal(Why.NOT_CURRENT, N_("This statement is no longer being voted on."))
    if stage.phase is not Phase.OPEN:
        raise Refusal(Why.VOTING_CLOSED, N_("Reasons can be given while voting is open."))
    if participant not in room.tally(statement_id).choices:
        raise Refusal(Why.NO_VOTE, N_("Vote first, then say why."))
    if not text:
        raise Refusal(Why.BAD_REASON, N_("Type your reason first."))
    if len(text) > MAX_REASON:
        raise Refusal(Why.BAD_REASON, N_("A reason can be at most 280 characters."))
    return stage.round


def held(debate: Debate, text: str) -> bool:
    """Whether a reason has one of the debate's held words (whole words, any case): it then
    waits for the moderator before anyone else sees it."""
    words = {w.casefold() for w in re.findall(r"\w+", text)}
    return any(w.casefold() in words for w in debate.settings.held_words)


def check_own(room: Room, participant: str, reason_id: int) -> Reason:
    """The participant's own reason with this id, or a Refusal."""
    reason = room.voices.reasons.get(reason_id)
    if reason is None or reason.participant != participant:
        raise Refusal(Why.UNKNOWN_REASON, N_("This reason is not yours to change."))
    return reason


def check_plus_one(room: Room, participant: str, reason_id: int) -> Reason:
    """A reason this phone may +1: one the room sees (not hidden, not held, on the statement
    on stage while reasons are shown to phones), and not its own."""
    reason = room.voices.reasons.get(reason_id)
    debate = room.debate
    if reason is None or reason.hidden or reason.held \
            or reason.statement_id != debate.stage.statement_id:
        raise Refusal(Why.UNKNOWN_REASON, N_("This reason cannot be seen now."))
    if not reasons_visible(debate, Audience.PHONE):
        raise Refusal(Why.UNKNOWN_REASON, N_("This reason cannot be seen now."))
    if reason.participant == participant:
        raise Refusal(Why.NOT_ALLOWED, N_("You cannot +1 your own reason."))
    return reason


def check_floor(room: Room, participant: str) -> int:
    """The statement a request for the floor goes to (the one on stage), or a Refusal: one
    request at a time per phone and statement."""
    statement_id = room.debate.stage.statement_id
    if statement_id is None:
        raise Refusal(Why.NO_STATEMENT, N_("This debate has no statements yet."))
    earlier = room.voices.request_of(statement_id, participant)
    if earlier is not None and earlier.status is FloorStatus.WAITING:
        raise Refusal(Why.ALREADY_ASKED, N_("You are on the list already."))
    return statement_id


def next_speaker(room: Room, stance: str) -> FloorRequest:
    """The longest-waiting request on the statement on stage with this stance (a choice value,
    or "any"), or a Refusal when nobody of that side waits."""
    statement_id = room.debate.stage.statement_id
    waiting = room.voices.waiting(statement_id) if statement_id is not None else []
    for request in waiting:
        if stance == "any" or (request.stance is not None and request.stance.value == stance) \
                or (stance == "agree" and request.stance is not None and request.stance.agrees) \
                or (stance == "disagree" and request.stance is not None
                    and request.stance.value in ("disagree", "strongly_disagree")):
            return request
    raise Refusal(Why.NOBODY_WAITING, N_("Nobody of this side is waiting for the floor."))


def check_proposal_plus(room: Room, participant: str, proposal_id: int) -> None:
    """A waiting proposal this phone may +1: the debate shows waiting proposals to phones, and it
    is not the phone's own."""
    if not room.debate.settings.proposals_public:
        raise Refusal(Why.NOT_ALLOWED, N_("Proposals are not shown to the room now."))
    proposal = next((p for p in room.pending if p.id == proposal_id), None)
    if proposal is None:
        raise Refusal(Why.UNKNOWN_PROPOSAL, N_("This proposal is not waiting for a decision."))
    if proposal.participant == participant:
        raise Refusal(Why.NOT_ALLOWED, N_("You cannot +1 your own proposal."))
