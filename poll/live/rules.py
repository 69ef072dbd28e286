"""The debate's rules, as pure functions: may this vote count, what a moderator's action does to
the stage, who may see the numbers, may this proposal or setting be taken.

No I/O and no waiting: the hub calls these, then stores and publishes what they decided. Each
refusal is a `Refusal` with a reason and a message for people.
"""

from __future__ import annotations

from dataclasses import replace

from ..i18n import N_
from ..model import (
    MAX_ROUNDS,
    MAX_TIMER,
    Action,
    Audience,
    Choice,
    Debate,
    DebateSettings,
    Phase,
    Stage,
    Statement,
    Visibility,
)
from .refusals import Refusal, Why
from .room import Room

MAX_PENDING_PROPOSALS = 3  # per participant, so one phone cannot flood the queue
MIN_TIMER = 5  # seconds: a shorter countdown is a slip of the finger


def check_vote(room: Room, participant: str, statement_id: int, choice: Choice,
               round_: int | None) -> int:
    """The round this vote counts in, or a Refusal: the choice must be on the debate's scale, the
    phone admitted (room code), the statement the one on stage with voting open, and `round_`
    (when the phone says which round it saw) the current one."""
    debate = room.debate
    if choice not in debate.choices:
        raise Refusal(Why.BAD_CHOICE, N_("This choice is not offered in this debate."))
    if not room.may_vote(participant):
        raise Refusal(Why.NOT_ADMITTED, N_("Type the room code shown on the screen first."))
    stage = debate.stage
    if stage.statement_id != statement_id:  # the one on stage is the debate's: no search then
        if debate.statement(statement_id) is None:
            raise Refusal(Why.UNKNOWN_STATEMENT, N_("This statement is not part of the debate."))
        raise Refusal(Why.NOT_CURRENT, N_("This statement is no longer being voted on."))
    if stage.phase is Phase.WAITING:
        raise Refusal(Why.VOTING_CLOSED, N_("Voting has not opened yet."))
    if stage.phase is Phase.CLOSED:
        raise Refusal(Why.VOTING_CLOSED, N_("Voting is closed."))
    if round_ is not None and round_ != stage.round:
        raise Refusal(Why.NOT_CURRENT, N_("This voting round is over."))
    return stage.round


def results_visible(debate: Debate, audience: Audience) -> bool:
    """Whether this audience may see the current statement's numbers now: moderators always; a
    reveal shows them to everyone; otherwise the debate's visibility decides. Under "voted",
    phones get the numbers and show them once they have voted (a phone's own page deciding is
    enough there: it keeps people from being swayed, it is not a secret)."""
    stage = debate.stage
    if audience is Audience.MODERATOR or stage.revealed:
        return True
    match debate.settings.visibility:
        case Visibility.LIVE | Visibility.VOTED:
            return True
        case Visibility.CLOSED:
            return stage.phase is Phase.CLOSED
    return False


def report_shows(debate: Debate, statement: Statement, round_: int) -> bool:
    """Whether a reader of the report who is not the moderator sees this round's results: all of
    them once the moderator published the report; before that only what the room was shown (the
    round on stage as the projector may show it now; a round no longer on stage as the debate's
    visibility showed it: revealed, or any once its voting was over, or any when shown live)."""
    if debate.report_published:
        return True
    stage = debate.stage
    if statement.id == stage.statement_id and round_ == stage.round:
        return results_visible(debate, Audience.SCREEN)
    if debate.settings.visibility is Visibility.REVEAL:
        return round_ <= statement.revealed_round
    return True


def next_stage(room: Room, action: Action, statement_id: int | None = None, *,
               seconds: int | None = None, reveal: bool = False, now: float = 0.0) -> Stage:
    """The stage after a moderator's action (the moderator's state machine), or a Refusal.
    `statement_id` belongs to GOTO; `seconds` and `reveal` to TIMER (count down from `now`,
    epoch seconds, then close voting and reveal if asked). A countdown ends when the statement
    changes or voting stops being open; the spotlight goes off with another statement or
    round."""
    new = _next(room, action, statement_id, seconds, reveal, now)
    current = room.debate.stage
    if new.statement_id != current.statement_id or new.phase is not Phase.OPEN:
        new = replace(new, timer_ends=None, timer_reveal=False)
    if new.statement_id != current.statement_id or new.round != current.round:
        new = replace(new, spotlight=None)  # a reason belongs to its statement and round
    return new


def _next(room: Room, action: Action, statement_id: int | None, seconds: int | None,
          reveal: bool, now: float) -> Stage:
    debate = room.debate
    current = debate.stage
    if action in (Action.NEXT, Action.PREV, Action.GOTO):
        target = _target(debate, action, statement_id)
        if target.id == current.statement_id:
            return current
        # A statement that was voted on before comes back closed (in its latest round), ready
        # to reopen, reveal or vote on again.
        phase = Phase.CLOSED if room.tally(target.id, target.rounds).total else Phase.WAITING
        return Stage(target.id, phase, revealed=False, round=target.rounds,
                     show_groups=current.show_groups)
    if current.statement_id is None:
        raise Refusal(Why.NO_STATEMENT, N_("This debate has no statements yet."))
    if action is Action.TOGGLE:
        action = Action.CLOSE if current.phase is Phase.OPEN else Action.OPEN
    match action:
        case Action.OPEN:
            return replace(current, phase=Phase.OPEN)
        case Action.CLOSE:
            return replace(current, phase=Phase.CLOSED)
        case Action.REVEAL:
            return replace(current, revealed=True)
        case Action.HIDE:
            return replace(current, revealed=False)
        case Action.ROUND2:
            if current.round >= MAX_ROUNDS:
                raise Refusal(Why.NO_ROUND, N_("This statement has had its second round."))
            if not room.tally(current.statement_id, 1).total:
                raise Refusal(Why.NO_ROUND, N_("Nobody has voted in the first round yet."))
            return replace(current, round=current.round + 1, phase=Phase.OPEN, revealed=False)
        case Action.SHOW_GROUPS | Action.HIDE_GROUPS:
            if action is Action.SHOW_GROUPS and not debate.groups:
                raise Refusal(Why.NO_GROUPS, N_("This debate has no audience groups."))
            return replace(current, show_groups=action is Action.SHOW_GROUPS)
        case Action.TIMER:
            if seconds is None or not MIN_TIMER <= seconds <= MAX_TIMER:
                raise Refusal(Why.BAD_REQUEST,
                              N_("Choose a countdown between 5 seconds and an hour."))
            return replace(current, phase=Phase.OPEN, timer_ends=now + seconds,
                           timer_reveal=reveal)
        case Action.TIMER_STOP:
            return replace(current, timer_ends=None, timer_reveal=False)
    raise Refusal(Why.BAD_REQUEST, N_("Unknown action."))


def _target(debate: Debate, action: Action, statement_id: int | None) -> Statement:
    """The statement NEXT, PREV or GOTO moves to."""
    if action is Action.GOTO:
        if statement_id is None:
            raise Refusal(Why.BAD_REQUEST, N_("Choose a statement to go to."))
        target = debate.statement(statement_id)
        if target is None:
            raise Refusal(Why.UNKNOWN_STATEMENT,
                          N_("This statement is not part of the debate."))
        return target
    target = debate.neighbour(1 if action is Action.NEXT else -1)
    if target is None:
        raise Refusal(Why.NO_STATEMENT, N_("There is no next statement.")
                      if action is Action.NEXT else N_("There is no previous statement."))
    return target


def check_proposal(room: Room, participant: str, text: str) -> None:
    """Refuse a proposal when the debate takes none now, this phone has too many waiting, or
    the same text (any case) is waiting already."""
    if not room.debate.settings.proposals:
        raise Refusal(Why.PROPOSALS_CLOSED,
                      N_("The moderator is not taking statements from the audience now."))
    if sum(p.participant == participant for p in room.pending) >= MAX_PENDING_PROPOSALS:
        raise Refusal(Why.TOO_MANY_PROPOSALS,
                      N_("Your earlier proposals are still waiting for the moderator."))
    if any(p.text.casefold() == text.casefold() for p in room.pending):
        raise Refusal(Why.DUPLICATE_PROPOSAL, N_("This statement was proposed already."))


def check_settings(room: Room, settings: DebateSettings) -> None:
    """Refuse a change of scale once anyone has voted (the votes would not fit it)."""
    if settings.scale is not room.debate.settings.scale and any(
            t.total for t in room.tallies.values()):
        raise Refusal(Why.SCALE_LOCKED, N_(
            "The scale cannot change after votes were cast. Duplicate the debate to start "
            "afresh with another scale."))
