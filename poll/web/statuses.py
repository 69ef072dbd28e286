"""HTTP status codes for the live side's refusals: the hub says why, the web says how loudly."""

from __future__ import annotations

from ..live import Reason

STATUS: dict[Reason, int] = {
    # the request itself is wrong
    Reason.BAD_MESSAGE: 400,
    Reason.TOO_LARGE: 413,
    Reason.BAD_REQUEST: 400,
    Reason.BAD_CHOICE: 400,
    Reason.BAD_PROPOSAL: 400,
    # who is asking
    Reason.NOT_ALLOWED: 403,
    Reason.NOT_ADMITTED: 403,
    Reason.RATE_LIMITED: 429,
    Reason.TOO_MANY_PROPOSALS: 429,
    # something named that is not there
    Reason.UNKNOWN_STATEMENT: 404,
    Reason.UNKNOWN_GROUP: 404,
    Reason.UNKNOWN_PROPOSAL: 404,
    # not now: the debate is not in a state that allows it
    Reason.NOT_CURRENT: 409,
    Reason.VOTING_CLOSED: 409,
    Reason.NO_STATEMENT: 409,
    Reason.NO_ROUND: 409,
    Reason.NO_GROUPS: 409,
    Reason.SCALE_LOCKED: 409,
    Reason.PROPOSALS_CLOSED: 409,
    Reason.DUPLICATE_PROPOSAL: 409,
    # the server could not keep it: try again
    Reason.NOT_SAVED: 503,
}


def status_of(reason: Reason) -> int:
    """The HTTP status answering a refusal for this reason."""
    return STATUS[reason]
