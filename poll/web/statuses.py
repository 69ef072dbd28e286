"""HTTP status codes for the live side's refusals: the hub says why, the web says how loudly."""

from __future__ import annotations

from ..live import Why

STATUS: dict[Why, int] = {
    # the request itself is wrong
    Why.BAD_MESSAGE: 400,
    Why.TOO_LARGE: 413,
    Why.BAD_REQUEST: 400,
    Why.BAD_CHOICE: 400,
    Why.BAD_PROPOSAL: 400,
    Why.BAD_REASON: 400,
    # who is asking
    Why.NOT_ALLOWED: 403,
    Why.NOT_ADMITTED: 403,
    Why.RATE_LIMITED: 429,
    Why.TOO_MANY_PROPOSALS: 429,
    # something named that is not there
    Why.UNKNOWN_STATEMENT: 404,
    Why.UNKNOWN_GROUP: 404,
    Why.UNKNOWN_PROPOSAL: 404,
    Why.UNKNOWN_REASON: 404,
    # not now: the debate is not in a state that allows it
    Why.NOT_CURRENT: 409,
    Why.VOTING_CLOSED: 409,
    Why.NO_STATEMENT: 409,
    Why.NO_ROUND: 409,
    Why.NO_GROUPS: 409,
    Why.SCALE_LOCKED: 409,
    Why.PROPOSALS_CLOSED: 409,
    Why.DUPLICATE_PROPOSAL: 409,
    Why.NO_VOTE: 409,
    Why.ALREADY_ASKED: 409,
    Why.NOBODY_WAITING: 409,
    # the server could not keep it: try again
    Why.NOT_SAVED: 503,
}


def status_of(reason: Why) -> int:
    """The HTTP status answering a refusal for this reason."""
    return STATUS[reason]
