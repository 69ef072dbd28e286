"""The frames of the room's voice: `reasons` (the room's ranking, or every reason for the
moderator), `floor` (who waits to speak, who has the floor), the spotlight, and the answers to a
phone that gave a reason, a +1 or asked for the floor.

Reason lists go out through the ticker, coalesced (not a frame per +1 per phone); a phone keeps
track of its own reason and +1s from the answers and its `welcome`.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from ...model import Audience, FloorRequest, Reason
from ..room import Room
from ..voice_rules import MAX_REASONS_SHOWN, reasons_visible
from ..voices import stance


class ReasonInfo(TypedDict):
    id: int
    text: str
    stance: str | None  # the author's vote now (None: no vote counted any more)
    plus: int


class OwnReason(ReasonInfo):
    held: bool  # waits for the moderator's approval before the room sees it
    hidden: bool  # the moderator took it off the room's pages


class ModeratorReason(ReasonInfo):
    hidden: bool
    held: bool  # has a held word: waits for the moderator's approval
    created_at: str


class ReasonsFrame(TypedDict):
    type: Literal["reasons"]
    statement: int | None
    round: int
    shown: bool  # whether this audience may see the reasons now
    total: int  # reasons the room sees (every reason, for the moderator)
    top: dict[str, list[ReasonInfo]]  # per stance: the most +1'd, at most MAX_REASONS_SHOWN
    all: NotRequired[list[ModeratorReason]]  # moderators: every reason, oldest first


class SpotlightInfo(TypedDict):
    id: int
    text: str
    stance: str | None


class Speaker(TypedDict):
    name: str
    stance: str | None


class QueuedSpeaker(Speaker):
    id: int
    created_at: str


class FloorFrame(TypedDict):
    type: Literal["floor"]
    statement: int | None
    waiting: dict[str, int]  # per stance ("none": no vote) how many wait
    called: str | None  # the token of the phone that has the floor (a phone compares its own)
    speaking: NotRequired[Speaker | None]  # screens and moderators
    next: NotRequired[list[Speaker]]  # screens: the first waiting of each side
    queue: NotRequired[list[QueuedSpeaker]]  # moderators: everyone waiting, oldest first


def reason_info(room: Room, reason: Reason) -> ReasonInfo:
    """A reason as the room sees it: its text, its author's stance now, its +1s."""
    choice = stance(reason, room.tally(reason.statement_id, reason.round))
    return {"id": reason.id, "text": reason.text,
            "stance": None if choice is None else choice.value,
            "plus": room.voices.plus_count(reason.id)}


def reasons(room: Room, audience: Audience) -> ReasonsFrame:
    """The `reasons` frame of the statement on stage for one audience: the room's ranking (per
    stance the most +1'd, hidden and held ones left out) when it may see it; for moderators also
    every reason with its flags."""
    debate = room.debate
    stage = debate.stage
    statement_id = stage.statement_id
    given = [] if statement_id is None else room.voices.of_statement(statement_id, stage.round)
    public = [r for r in given if not r.hidden and not r.held]
    shown = statement_id is not None and reasons_visible(debate, audience)
    top: dict[str, list[ReasonInfo]] = {}
    if shown:
        ranked = sorted((reason_info(room, r) for r in public),
                        key=lambda i: (-i["plus"], -i["id"]))  # most +1s, then the newest
        for info in ranked:
            side = top.setdefault(info["stance"] or "none", [])
            if len(side) < MAX_REASONS_SHOWN:
                side.append(info)
    frame: ReasonsFrame = {"type": "reasons", "statement": statement_id, "round": stage.round,
                           "shown": shown, "total": len(public), "top": top}
    if audience is Audience.MODERATOR:
        frame["total"] = len(given)
        frame["all"] = [_moderated(room, r) for r in given]
    return frame


def own_reason(room: Room, reason: Reason) -> OwnReason:
    """A phone's own reason, as its `welcome` gives it back: with whether it is held or
    hidden (the author may know; nobody else learns it)."""
    info = reason_info(room, reason)
    return {"id": info["id"], "text": info["text"], "stance": info["stance"],
            "plus": info["plus"], "held": reason.held, "hidden": reason.hidden}


def _moderated(room: Room, reason: Reason) -> ModeratorReason:
    info = reason_info(room, reason)
    return {"id": info["id"], "text": info["text"], "stance": info["stance"],
            "plus": info["plus"], "hidden": reason.hidden, "held": reason.held,
            "created_at": reason.created_at}


def spotlight(room: Room) -> SpotlightInfo | None:
    """The reason on the projector, anonymous: its text and its stance."""
    reason_id = room.debate.stage.spotlight
    reason = None if reason_id is None else room.voices.reasons.get(reason_id)
    if reason is None or reason.hidden:
        return None
    info = reason_info(room, reason)
    return {"id": info["id"], "text": info["text"], "stance": info["stance"]}


def _speaker(request: FloorRequest) -> Speaker:
    return {"name": request.name, "stance": None if request.stance is None
            else request.stance.value}


def floor(room: Room, audience: Audience) -> FloorFrame:
    """The `floor` frame of the statement on stage: how many wait per side and who has the floor
    (by token, for phones); screens also get the name and side of the speaker and of the next
    of each side, moderators the whole queue."""
    statement_id = room.debate.stage.statement_id
    voices = room.voices
    waiting = [] if statement_id is None else voices.waiting(statement_id)
    called = None if statement_id is None else voices.called(statement_id)
    counts: dict[str, int] = {}
    for request in waiting:
        side = "none" if request.stance is None else request.stance.value
        counts[side] = counts.get(side, 0) + 1
    frame: FloorFrame = {"type": "floor", "statement": statement_id, "waiting": counts,
                         "called": None if called is None else called.token}
    if audience is not Audience.PHONE:
        frame["speaking"] = None if called is None else _speaker(called)
    if audience is Audience.SCREEN:
        firsts: dict[str, Speaker] = {}
        for request in waiting:
            speaker = _speaker(request)
            firsts.setdefault(speaker["stance"] or "none", speaker)
        frame["next"] = list(firsts.values())
    if audience is Audience.MODERATOR:
        frame["queue"] = [{"id": r.id, "created_at": r.created_at, "name": r.name,
                           "stance": None if r.stance is None else r.stance.value}
                          for r in waiting]
    return frame


# -- answers to one phone ------------------------------------------------------------------------

class ReasonSavedFrame(TypedDict):
    type: Literal["reason"]
    id: int
    statement: int
    round: int
    text: str
    held: bool  # it waits for the moderator before the room sees it


class ReasonRemovedFrame(TypedDict):
    type: Literal["reason_removed"]
    id: int


class PlusFrame(TypedDict):
    type: Literal["plus"]
    reason: int
    on: bool


class FloorAskedFrame(TypedDict):
    type: Literal["floor_asked"]
    token: str | None  # None: the request was withdrawn


class ProposalPlusFrame(TypedDict):
    type: Literal["proposal_plus"]
    proposal: int
    on: bool


def reason_saved(reason: Reason) -> ReasonSavedFrame:
    """The phone's reason is stored (new or edited)."""
    return {"type": "reason", "id": reason.id, "statement": reason.statement_id,
            "round": reason.round, "text": reason.text, "held": reason.held}


def reason_removed(reason_id: int) -> ReasonRemovedFrame:
    return {"type": "reason_removed", "id": reason_id}


def plus(reason_id: int, on: bool) -> PlusFrame:
    """The phone's +1 on a reason is stored (or taken back)."""
    return {"type": "plus", "reason": reason_id, "on": on}


def floor_asked(token: str | None) -> FloorAskedFrame:
    """The phone is on the floor's list (with this token), or off it again (None)."""
    return {"type": "floor_asked", "token": token}


def proposal_plus(proposal_id: int, on: bool) -> ProposalPlusFrame:
    return {"type": "proposal_plus", "proposal": proposal_id, "on": on}
