"""The frames that say where the debate stands: `state`, `tally`, `welcome`, `proposals`."""

from __future__ import annotations

import asyncio
import time
from typing import Literal, NotRequired, TypedDict

from ... import analysis
from ...analysis import GroupNumbers
from ...model import Audience
from ...moved import MovesNumbers, moves_of
from ...tally import Numbers, SwingNumbers
from ..room import Room
from ..rules import results_visible
from .voice import OwnReason, SpotlightInfo, own_reason, spotlight


class GroupInfo(TypedDict):
    id: int
    name: str


class DebateInfo(TypedDict):
    id: NotRequired[str]  # screens and moderators: a phone never learns it
    title: str
    lang: str
    join_code: str
    scale: str
    choices: list[str]
    visibility: str
    proposals: bool
    proposals_public: bool  # phones see the waiting proposals and +1 them
    reasons: str  # when the room sees reasons: "results", "always" or "never"
    screen_languages: str  # "one" or "both"
    groups: list[GroupInfo]


class StatementInfo(TypedDict):
    id: int
    position: int
    text: str  # in the debate's language
    translation: str  # in the other language ("" when there is none); a phone picks its own
    rounds: int
    proposed: bool


class TimerInfo(TypedDict):
    seconds_left: float  # counted from when the frame was built: a phone's clock does not matter
    reveal: bool


class GapInfo(TypedDict):
    statement: int
    points: int


class Results(Numbers):
    """A statement's numbers for one audience: its round, and by audience and round the split
    by group, the first round's numbers and the swing."""

    round: int
    groups: NotRequired[list[GroupNumbers]]
    before: NotRequired[Numbers]
    swing: NotRequired[SwingNumbers | None]
    moves: NotRequired[MovesNumbers | None]  # screens, while the moderator shows how minds moved


class StateFrame(TypedDict):
    type: Literal["state"]
    debate: DebateInfo
    statement: StatementInfo | None
    count: int
    phase: str
    revealed: bool
    round: int
    show_groups: bool
    show_map: bool  # the projector shows the opinion map (phones may ask for their group)
    show_moves: bool  # the projector shows how minds moved between the statement's rounds
    timer: TimerInfo | None
    results: Results | None
    room_check: bool  # phones must type the room code before they vote
    room_code: NotRequired[str | None]  # screens and moderators only
    statement_notes: NotRequired[str | None]  # moderators only
    groups_differ: NotRequired[GapInfo | None]  # moderators only
    spotlight: NotRequired[SpotlightInfo | None]  # screens and moderators: the reason shown


class TallyFrame(TypedDict):
    """The current statement's numbers; `counts` and `percent` are None (and the extras left out)
    for an audience that may not see them yet, which still learns how many voted."""

    type: Literal["tally"]
    statement: int | None
    counts: dict[str, int] | None
    percent: dict[str, int] | None
    total: int
    round: int
    mean: NotRequired[float | None]
    groups: NotRequired[list[GroupNumbers]]
    before: NotRequired[Numbers]
    swing: NotRequired[SwingNumbers | None]
    moves: NotRequired[MovesNumbers | None]  # screens, while the moderator shows how minds moved
    connected: NotRequired[int]  # screens and moderators
    groups_differ: NotRequired[GapInfo | None]  # moderators of debates with groups


class WelcomeFrame(TypedDict):
    type: Literal["welcome"]
    participant: str
    votes: dict[str, str]  # statement id -> the phone's counted choice in its current round
    admitted: bool
    group: int | None
    skipped: bool  # answered the group question with "no group"
    reason: OwnReason | None  # its reason on the statement on stage, in the round on stage
    plussed: list[int]  # the reasons it gave a +1
    floor: str | None  # its token while it is on the floor's list or has the floor
    proposal_plus: list[int]  # the waiting proposals it gave a +1


class PendingProposal(TypedDict):
    id: int
    text: str
    plus: int  # +1s from the room (when the debate shows waiting proposals to phones)
    created_at: NotRequired[str]  # moderators
    group: NotRequired[str | None]  # moderators: the proposer's audience group, by name


class ProposalsFrame(TypedDict):
    type: Literal["proposals"]
    pending: list[PendingProposal]


def state(room: Room, audience: Audience) -> StateFrame:
    """The `state` frame: the debate, the statement on stage, the phase, and the results when
    this audience may see them. Only screens and moderators are told the room code itself;
    phones learn whether one is required."""
    debate = room.debate
    current = debate.current
    stage = debate.stage
    frame: StateFrame = {
        "type": "state",
        "debate": {"title": debate.title, "lang": debate.lang,
                   "join_code": debate.join_code, "scale": debate.settings.scale.value,
                   "choices": [c.value for c in debate.choices],
                   "visibility": debate.settings.visibility.value,
                   "proposals": debate.settings.proposals,
                   "proposals_public": debate.settings.proposals_public,
                   "reasons": debate.settings.reasons.value,
                   "screen_languages": debate.settings.screen_languages.value,
                   "groups": [{"id": g.id, "name": g.name} for g in debate.groups]},
        "statement": None if current is None else {
            "id": current.id, "position": current.position, "text": current.text,
            "translation": current.translation, "rounds": current.rounds,
            "proposed": current.proposed},
        "count": len(debate.statements),
        "phase": stage.phase.value,
        "revealed": stage.revealed,
        "round": stage.round,
        "show_groups": stage.show_groups,
        "show_map": stage.show_map,
        "show_moves": stage.show_moves,
        "timer": None if stage.timer_ends is None else {
            "seconds_left": round(max(0.0, stage.timer_ends - time.time()), 1),
            "reveal": stage.timer_reveal},
        "results": results(room, audience)
        if current is not None and results_visible(debate, audience) else None,
        "room_check": debate.room_code is not None,
    }
    if audience is not Audience.PHONE:
        frame["debate"]["id"] = debate.id
        frame["room_code"] = debate.room_code
        frame["spotlight"] = spotlight(room)
    if audience is Audience.MODERATOR:
        frame["statement_notes"] = None if current is None else current.notes
        frame["groups_differ"] = _gap(room, fresh=True)
    return frame


def results(room: Room, audience: Audience) -> Results:
    """The current statement's numbers for this audience: the current round's counts, the split
    by group (moderators always, screens when the moderator shows it), and in a second round the
    first round's numbers and the swing."""
    debate = room.debate
    stage = debate.stage
    statement_id = stage.statement_id
    tally = room.tally(statement_id).numbers()
    out: Results = {"counts": tally["counts"], "percent": tally["percent"],
                    "total": tally["total"], "round": stage.round}
    if "mean" in tally:
        out["mean"] = tally["mean"]
    if debate.groups and (audience is Audience.MODERATOR
                          or (audience is Audience.SCREEN and stage.show_groups)):
        out["groups"] = [r.numbers() for r in
                         analysis.split(room.tally(statement_id), debate.groups, room.members)]
    if stage.round > 1 and statement_id is not None and debate.current is not None:
        out["before"] = room.tally(statement_id, 1).numbers()
        change = analysis.swing_of(room.tallies, debate.current)
        out["swing"] = None if change is None else change.numbers()
        if audience is Audience.SCREEN and stage.show_moves:  # a pass over who voted in both
            moved = moves_of(room.tallies, debate.current)
            out["moves"] = None if moved is None else moved.numbers()
    return out


def tally(room: Room, audience: Audience) -> TallyFrame:
    """The `tally` frame; numbers only for an audience that may see them now (phones only ever
    get it when the debate shows results live, after voting, or once closed)."""
    debate = room.debate
    statement_id = debate.stage.statement_id
    frame: TallyFrame
    if statement_id is not None and results_visible(debate, audience):
        shown = results(room, audience)
        frame = {"type": "tally", "statement": statement_id, "counts": shown["counts"],
                 "percent": shown["percent"], "total": shown["total"], "round": shown["round"]}
        if "mean" in shown:
            frame["mean"] = shown["mean"]
        if "groups" in shown:
            frame["groups"] = shown["groups"]
        if "before" in shown:
            frame["before"] = shown["before"]
        if "swing" in shown:
            frame["swing"] = shown["swing"]
        if "moves" in shown:
            frame["moves"] = shown["moves"]
    else:
        frame = {"type": "tally", "statement": statement_id, "counts": None, "percent": None,
                 "total": room.tally(statement_id).total, "round": debate.stage.round}
    if audience is not Audience.PHONE:
        frame["connected"] = room.connected
    if audience is Audience.MODERATOR and debate.groups:
        frame["groups_differ"] = _gap(room)
    return frame


def _gap(room: Room, *, fresh: bool = False) -> GapInfo | None:
    gap = room.widest_gap(asyncio.get_running_loop().time(), fresh=fresh)
    return None if gap is None else {"statement": gap.statement, "points": gap.points}


def welcome(room: Room, participant: str) -> WelcomeFrame:
    """The `welcome` frame a phone gets first: who it is, what it voted, whether it may vote,
    its group, and its own part in the room's voice (its reason, +1s, place on the floor)."""
    stage = room.debate.stage
    voices = room.voices
    own = None if stage.statement_id is None else voices.own(stage.statement_id, stage.round,
                                                              participant)
    request = None if stage.statement_id is None else voices.request_of(stage.statement_id,
                                                                         participant)
    return {"type": "welcome", "participant": participant,
            "votes": {str(sid): choice.value for sid, choice in room.votes_of(participant).items()},
            "admitted": room.may_vote(participant),
            "group": room.members.get(participant),
            "skipped": participant in room.skipped,
            "reason": None if own is None else own_reason(room, own),
            "plussed": voices.plus_of(participant),
            "floor": None if request is None else request.token,
            "proposal_plus": [pid for pid, who in voices.proposal_plus.items()
                              if participant in who]}


def proposals(room: Room, audience: Audience = Audience.MODERATOR) -> ProposalsFrame:
    """The `proposals` frame: the proposals waiting for the moderator, most +1'd first (then the
    oldest). Moderators see each one's time and proposer's group; phones (when the debate shows
    them) only the text and the +1s."""
    debate = room.debate
    plus = room.voices.proposal_plus
    ranked = sorted(room.pending, key=lambda p: (-len(plus.get(p.id, ())), p.id))
    pending: list[PendingProposal] = []
    for p in ranked:
        entry: PendingProposal = {"id": p.id, "text": p.text, "plus": len(plus.get(p.id, ()))}
        if audience is Audience.MODERATOR:
            group = debate.group(room.members.get(p.participant))
            entry["created_at"] = p.created_at
            entry["group"] = None if group is None else group.name
        pending.append(entry)
    return {"type": "proposals", "pending": pending}

