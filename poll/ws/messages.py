"""What a client may send over its websocket, read into typed messages (docs/protocol.md).

`read(text)` turns one text frame into a `VoteMessage`, `GroupMessage`, `ProposeMessage`,
`MyGroupMessage`, a message of the room's voice or `Ping`, or raises `Unreadable` with the
reason and a message for people (and the id of the vote or proposal it answers, when the frame
had a usable one). Nothing here knows the debate: whether
a vote may count is the hub's to decide.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..i18n import N_
from ..live import Refusal, Why
from ..model import MAX_CLIENT_ID, MAX_FIRST_NAME, MAX_REASON, Choice
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


@dataclass(frozen=True, slots=True)
class ReasonMessage:
    """`{"type": "reason", "statement", "text", "id"?}`: this phone's reason for its vote (new or
    edited); `id`, made by the phone, comes back with an error."""

    statement: int
    text: str
    id: str | None


@dataclass(frozen=True, slots=True)
class ReasonRemoveMessage:
    """`{"type": "reason_remove", "reason"}`: the phone takes its reason back."""

    reason: int


@dataclass(frozen=True, slots=True)
class PlusMessage:
    """`{"type": "plus", "reason", "on"}`: a +1 on another phone's reason (on false: undo)."""

    reason: int
    on: bool


@dataclass(frozen=True, slots=True)
class FloorMessage:
    """`{"type": "floor", "name"?}` asks for the floor (an optional first name);
    `{"type": "floor_withdraw"}` takes the request back."""

    name: str
    withdraw: bool = False


@dataclass(frozen=True, slots=True)
class ProposalPlusMessage:
    """`{"type": "proposal_plus", "proposal", "on"}`: a +1 on a waiting proposal."""

    proposal: int
    on: bool


@dataclass(frozen=True, slots=True)
class MyGroupMessage:
    """`{"type": "my_group"}`: where this phone stands on the map the projector shows."""


VoiceMessage = ReasonMessage | ReasonRemoveMessage | PlusMessage | FloorMessage \
    | ProposalPlusMessage
Message = Ping | VoteMessage | GroupMessage | ProposeMessage | MyGroupMessage | VoiceMessage
PING = Ping()
MY_GROUP = MyGroupMessage()


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
    if kind == "my_group":
        return MY_GROUP
    if kind == "vote":
        return _vote(frame)
    if kind == "group":
        return _group(frame)
    if kind == "propose":
        return _proposal(frame)
    if kind in _VOICE:
        return _VOICE[kind](frame)
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


def _id(frame: dict[str, Any], key: str, what: str) -> int:
    value = frame.get(key)
    if type(value) is not int:
        raise Unreadable(Why.BAD_MESSAGE, what)
    return value


def _reason(frame: dict[str, Any]) -> ReasonMessage:
    client_id = frame.get("id")
    if client_id is not None and (not isinstance(client_id, str)
                                  or not 1 <= len(client_id) <= MAX_CLIENT_ID):
        raise Unreadable(Why.BAD_MESSAGE, N_("An id has 1 to 64 characters."))
    statement = _id(frame, "statement", N_("A reason needs a statement id."))
    text = frame.get("text")
    if not isinstance(text, str) or len(text) > 4 * MAX_REASON:
        raise Unreadable(Why.BAD_REASON, N_("A reason can be at most 280 characters."),
                         client_id)
    return ReasonMessage(statement, text, client_id)


def _reason_remove(frame: dict[str, Any]) -> ReasonRemoveMessage:
    return ReasonRemoveMessage(_id(frame, "reason", N_("Say which reason.")))


def _plus(frame: dict[str, Any]) -> PlusMessage:
    on = frame.get("on", True)
    if not isinstance(on, bool):
        raise Unreadable(Why.BAD_MESSAGE, N_("A +1 is on (true) or off (false)."))
    return PlusMessage(_id(frame, "reason", N_("Say which reason.")), on)


def _floor(frame: dict[str, Any]) -> FloorMessage:
    name = frame.get("name", "")
    if not isinstance(name, str) or len(clean(name)) > MAX_FIRST_NAME:
        raise Unreadable(Why.BAD_MESSAGE, N_("A first name can be at most 40 characters."))
    return FloorMessage(name)


def _floor_withdraw(frame: dict[str, Any]) -> FloorMessage:
    return FloorMessage("", withdraw=True)


def _proposal_plus(frame: dict[str, Any]) -> ProposalPlusMessage:
    on = frame.get("on", True)
    if not isinstance(on, bool):
        raise Unreadable(Why.BAD_MESSAGE, N_("A +1 is on (true) or off (false)."))
    return ProposalPlusMessage(_id(frame, "proposal", N_("Say which proposal.")), on)


_VOICE: dict[str, Callable[[dict[str, Any]], VoiceMessage]] = {
    "reason": _reason, "reason_remove": _reason_remove, "plus": _plus, "floor": _floor,
    "floor_withdraw": _floor_withdraw, "proposal_plus": _proposal_plus,
}
