"""The room's voice after the debate: every reason with its stance and +1s, the room's top
reasons per stance, and who asked for the floor; read by the exports and the printed report.

A reason's stance is never stored (poll.live.voices): it is its author's counted vote in the
reason's statement and round, so it is read here from the tallies, as the room saw it last.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..model import Choice, Debate, FloorRequest, FloorStatus, Reason, Statement
from ..store import Store
from ..tally import Tally, TallyKey

TOP_PER_STANCE = 3  # the report's top reasons per stance: the room's ranking, in short
NO_STANCE = "none"  # the stance of a reason whose author has no counted vote (any more)


@dataclass(frozen=True, slots=True)
class Voice:
    """What the room said besides its votes, as stored: reasons (oldest first, hidden and held
    ones too), who +1'd each, and every request for the floor (withdrawn ones too)."""

    reasons: list[Reason] = field(default_factory=list)
    plus: dict[int, set[str]] = field(default_factory=dict)
    floor: list[FloorRequest] = field(default_factory=list)


async def voice_of(store: Store, debate_id: str) -> Voice:
    """The debate's reasons, +1s and floor requests, read from the store."""
    return Voice(await store.reasons(debate_id), await store.reason_votes(debate_id),
                 await store.floor_requests(debate_id))


@dataclass(frozen=True, slots=True)
class GivenReason:
    """A reason as exported and reported: with its author's stance and its number of +1s."""

    reason: Reason
    stance: Choice | None
    plus: int

    @property
    def shown_to_room(self) -> bool:
        """Whether the room could see it: not hidden by the moderator, not held by the words."""
        return not self.reason.hidden and not self.reason.held


def given_reasons(voice: Voice, tallies: Mapping[TallyKey, Tally]) -> list[GivenReason]:
    """Every reason, oldest first, with its stance (from `tallies`) and +1 count."""
    out = []
    for r in voice.reasons:
        tally = tallies.get((r.statement_id, r.round))
        stance = None if tally is None else tally.choices.get(r.participant)
        out.append(GivenReason(r, stance, len(voice.plus.get(r.id, ()))))
    return out


def ranked(reasons: list[GivenReason]) -> list[GivenReason]:
    """The room's ranking: the reasons it could see, most +1s first, then the newest (as the
    phones and the projector ranked them, poll.live.frames.voice)."""
    return sorted((g for g in reasons if g.shown_to_room),
                  key=lambda g: (-g.plus, -g.reason.id))


@dataclass(frozen=True, slots=True)
class FloorCount:
    """Who asked to speak on a statement: distinct phones that asked, and that got the floor."""

    asked: int = 0
    called: int = 0


def floor_counts(floor: list[FloorRequest]) -> dict[int, FloorCount]:
    """Per statement id, how many phones asked for the floor (a phone asking again after taking
    its request back counts once) and how many were given it."""
    asked: dict[int, set[str]] = {}
    called: dict[int, set[str]] = {}
    for f in floor:
        asked.setdefault(f.statement_id, set()).add(f.participant)
        if f.status is FloorStatus.CALLED:
            called.setdefault(f.statement_id, set()).add(f.participant)
    return {sid: FloorCount(len(who), len(called.get(sid, ()))) for sid, who in asked.items()}


# -- the printed report -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoundVoice:
    """One round's reasons in the report."""

    number: int
    shown: bool  # False: the reader may not see this round's reasons (yet)
    given: int = 0  # every reason given
    hidden: int = 0  # hidden by the moderator
    held: int = 0  # held by the debate's words and never approved
    top: list[tuple[str, list[GivenReason]]] = field(default_factory=list)  # (stance, best)


@dataclass(frozen=True, slots=True)
class StatementVoice:
    """One statement's voice in the report: its rounds' reasons and the floor."""

    rounds: list[RoundVoice]
    floor: FloorCount

    @property
    def reasons_given(self) -> int:
        return sum(r.given for r in self.rounds)


Shown = Callable[[Statement, int], bool]  # may the reader see this statement's round?


def _round(debate: Debate, number: int, reasons: list[GivenReason], shown: bool,
           per_stance: int) -> RoundVoice:
    if not shown:
        return RoundVoice(number, False)
    by_stance: dict[str, list[GivenReason]] = {}
    for g in ranked(reasons):
        side = by_stance.setdefault(NO_STANCE if g.stance is None else g.stance.value, [])
        if len(side) < per_stance:
            side.append(g)
    order = [c.value for c in debate.choices] + [NO_STANCE]
    return RoundVoice(number, True, given=len(reasons),
                      hidden=sum(g.reason.hidden for g in reasons),
                      held=sum(g.reason.held and not g.reason.hidden for g in reasons),
                      top=[(s, by_stance[s]) for s in order if s in by_stance])


def statement_voices(debate: Debate, voice: Voice, tallies: Mapping[TallyKey, Tally],
                     shown: Shown, per_stance: int = TOP_PER_STANCE) -> dict[int, StatementVoice]:
    """Per statement id, what the report prints of the room's voice: per round the reasons given
    (hidden and held counted apart) and the `per_stance` most +1'd the room could see, grouped by
    stance in the scale's order; a round `shown` refuses carries none. Then the floor."""
    given = given_reasons(voice, tallies)
    floor = floor_counts(voice.floor)
    out = {}
    for s in debate.statements:
        rounds = [_round(debate, n, [g for g in given if g.reason.statement_id == s.id
                                     and g.reason.round == n], shown(s, n), per_stance)
                  for n in range(1, max(s.rounds, 1) + 1)]
        out[s.id] = StatementVoice(rounds, floor.get(s.id, FloorCount()))
    return out
