"""Why a request was refused: a stable code for machines (`Why`) and a message for people.

The hub and the socket say no with a `Refusal`; each transport turns it into its own form: an
`error` frame on a websocket (`poll.live.frames.error`), a status code and an error page over HTTP
(`poll.web.statuses`). The value of `Why` is the `code` clients see (docs/protocol.md).
"""

from __future__ import annotations

from enum import StrEnum


class Why(StrEnum):
    """Every cause for refusing a request; the value is the wire's `code`. (Not `Reason`: in a
    debate a reason is what a participant gives with a vote.)"""

    # the message itself
    BAD_MESSAGE = "bad_message"  # not JSON, not an object, a field of the wrong type
    TOO_LARGE = "too_large"
    BAD_REQUEST = "bad_request"  # a moderator's form with a missing or impossible value
    BAD_CHOICE = "bad_choice"  # not a choice on this debate's scale
    BAD_PROPOSAL = "bad_proposal"  # empty or too long
    # who is asking
    NOT_ALLOWED = "not_allowed"  # this kind of page cannot do that (a screen voting)
    NOT_ADMITTED = "not_admitted"  # the room code is required and was not typed
    RATE_LIMITED = "rate_limited"
    # what the debate is doing
    UNKNOWN_STATEMENT = "unknown_statement"
    NOT_CURRENT = "not_current"  # another statement, or another round, is being voted on
    VOTING_CLOSED = "voting_closed"  # not opened yet, or closed
    NO_STATEMENT = "no_statement"  # no next / previous statement, or none at all
    NO_ROUND = "no_round"  # a second round is not possible now
    NO_GROUPS = "no_groups"
    UNKNOWN_GROUP = "unknown_group"
    SCALE_LOCKED = "scale_locked"  # votes were cast on the current scale
    PROPOSALS_CLOSED = "proposals_closed"
    TOO_MANY_PROPOSALS = "too_many_proposals"
    DUPLICATE_PROPOSAL = "duplicate_proposal"
    UNKNOWN_PROPOSAL = "unknown_proposal"  # not waiting for a decision (any more)
    # the room's voice
    NO_VOTE = "no_vote"  # a reason goes with a vote: there is none yet
    BAD_REASON = "bad_reason"  # empty or too long
    UNKNOWN_REASON = "unknown_reason"  # not there, hidden, held, or not this phone's
    ALREADY_ASKED = "already_asked"  # on the floor's list already
    NOBODY_WAITING = "nobody_waiting"  # nobody of that side waits for the floor
    # the server
    NOT_SAVED = "not_saved"  # the store could not commit it: try again


class Refusal(Exception):
    """A request the debate's rules do not allow. `message` is English source text, translated
    where it is shown (each page and socket knows its reader's language)."""

    def __init__(self, why: Why, message: str) -> None:
        super().__init__(message)
        self.why = why
        self.message = message

    @property
    def code(self) -> str:
        """The reason as clients see it (the `code` of an error frame or JSON error)."""
        return self.why.value
