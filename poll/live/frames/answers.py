"""The frames that answer one client: a vote counted, a refusal, a group or proposal stored."""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from ...model import Choice
from ..refusals import Why


class AckFrame(TypedDict):
    type: Literal["ack"]
    id: str
    statement: int
    choice: str
    round: int


class ErrorFrame(TypedDict):
    type: Literal["error"]
    id: str | None  # the vote or proposal it answers, when there is one
    code: str
    message: str


class GroupFrame(TypedDict):
    type: Literal["group"]
    group: int | None


class ProposedFrame(TypedDict):
    type: Literal["proposed"]
    id: NotRequired[str]


def ack(vote_id: str, statement_id: int, choice: Choice, round_: int) -> AckFrame:
    """A vote is counted (sent only after it was committed)."""
    return {"type": "ack", "id": vote_id, "statement": statement_id, "choice": choice.value,
            "round": round_}


def error(reason: Why, message: str, answers: str | None = None) -> ErrorFrame:
    """A refusal, `message` already in the reader's language; `answers` the vote or proposal id."""
    return {"type": "error", "id": answers, "code": reason.value, "message": message}


def group(group_id: int | None) -> GroupFrame:
    """The phone's audience group is stored."""
    return {"type": "group", "group": group_id}


def proposed(proposal_id: str | None = None) -> ProposedFrame:
    """A proposal is waiting for the moderator."""
    frame: ProposedFrame = {"type": "proposed"}
    if proposal_id is not None:
        frame["id"] = proposal_id
    return frame

