"""What a client may send over its websocket, read into typed messages (docs/protocol.md).

`read(text)` turns one text frame into a `VoteMessage`, `GroupMessage`, `ProposeMessage` or
`Ping`, or raises `Unreadable` with the reason and a message for people (and the id of the vote
or proposal it answers, when the frame had a usable one). Nothing here knows the debate: whether
a vote may count is the hub's to decide.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..i18n import N_
from ..live import Refusal, Why
from ..model import MAX_CLIENT_ID, Choice
from ..text import clean, proposal_problem


class Unreadable(Refusal):
    """A frame that is not a message this server understands."""

    def __init__(self, reason: Why, message: str, answers: str | None = None) -> None:
        super().__init__(reason, message)
        self.answers = answers


@dataclass(frozen=True, slots=True)
class Ping:
    """Keeps the connection alive; answered with a pong."""


@dataclass(frozen=True, slots=True)
class VoteMessage:
    """`{"type": "vote", "id", "statement", "choice", "round"?}`"""

    id: str
    statement: int
    choice: Choice
    round: int | None  # the round the phone saw; None: whichever is current


@dataclass(frozen=True, slots=True)
class GroupMessage:
    """`{"type": "group", "group": ID or null}`: the phone says which group it belongs to."""

    group: int | None


@dataclass(frozen=True, slots=True)
class ProposeMessage:
    """`{"type": "propose", "id", "text"}`: a statement for the moderator's queue (cleaned)."""

    id: str
    text: str


Message = Ping | VoteMessage | GroupMessage | ProposeMessage
PING = Ping()


def read(text: str) -> Message:
    """The message in one text frame, or Unreadable."""
    try:
        frame = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: brackets nested a thousand deep
        raise Unreadable(Why.BAD_MESSAGE, N_("Messages must be JSON text.")) from None
    if not isinstance(frame, dict):
        raise Unreadable(Why.BAD_MESSAGE, N_("Messages must be JSON objects."))
    kind = frame.get("type")
    if kind == "ping":
        return PING
    if kind == "vote":
        return _vote(frame)
    if kind == "group":
        return _group(frame)
    if kind == "propose":
        return _proposal(frame)
    raise Unreadable(Why.BAD_MESSAGE, N_("Unknown message type."))


def _vote(frame: dict[str, Any]) -> VoteMessage:
    vote_id = frame.get("id")
    if not isinstance(vote_id, str) or not 1 <= len(vote_id) <= MAX_CLIENT_ID:
        raise Unreadable(Why.BAD_MESSAGE, N_("A vote needs an id of 1 to 64 characters."))
    statement = frame.get("statement")
    if type(statement) is not int:  # not a bool, not a float
        raise Unreadable(Why.BAD_MESSAGE, N_("A vote needs a statement id."), vote_id)
    round_ = frame.get("round")
    if round_ is not None and type(round_) is not int:
        raise Unreadable(Why.BAD_MESSAGE, N_("A round must be a number."), vote_id)
    try:
        choice = Choice(str(frame.get("choice")))
    except ValueError:
        raise Unreadable(Why.BAD_CHOICE, N_("This choice is not offered in this debate."),
                         vote_id) from None
    return VoteMessage(vote_id, statement, choice, round_)


def _group(frame: dict[str, Any]) -> GroupMessage:
    group_id = frame.get("group")
    if group_id is not None and type(group_id) is not int:
        raise Unreadable(Why.BAD_MESSAGE, N_("A group must be a group id or null."))
    return GroupMessage(group_id)


def _proposal(frame: dict[str, Any]) -> ProposeMessage:
    proposal_id = frame.get("id")
    if not isinstance(proposal_id, str) or not 1 <= len(proposal_id) <= MAX_CLIENT_ID:
        raise Unreadable(Why.BAD_MESSAGE, N_("A proposal needs an id of 1 to 64 characters."))
    text = frame.get("text")
    problem = proposal_problem(text)
    if problem is not None or not isinstance(text, str):
        raise Unreadable(Why.BAD_PROPOSAL, problem or N_("Type a statement first."),
                         proposal_id)
    return ProposeMessage(proposal_id, clean(text))
