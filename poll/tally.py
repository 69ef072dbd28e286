"""The debate's own vocabulary: Debate, Statement, Phase, Choice, Vote, Tally.

Plain dataclasses and enums with no I/O, so the store, the hub, the views and the exports share
one meaning of every word.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

MAX_TITLE = 200
MAX_STATEMENT = 5000
LANGUAGES = ("nl", "en")


class Phase(StrEnum):
    """Where voting on the current statement stands."""

    WAITING = "waiting"  # statement shown, voting not opened yet
    OPEN = "open"  # phones may vote
    CLOSED = "closed"  # voting over; votes kept


class Choice(StrEnum):
    """What a participant can answer to a statement, in display order (most agreeing first)."""

    STRONGLY_AGREE = "strongly_agree"
    AGREE = "agree"
    NEUTRAL = "neutral"
    DISAGREE = "disagree"
    STRONGLY_DISAGREE = "strongly_disagree"

    @property
    def score(self) -> int:
        """The choice on a 1-5 scale (strongly disagree 1 ... strongly agree 5), for means."""
        return _SCORES[self]

    @property
    def agrees(self) -> bool:
        return self in (Choice.AGREE, Choice.STRONGLY_AGREE)


_SCORES = {Choice.STRONGLY_AGREE: 5, Choice.AGREE: 4, Choice.NEUTRAL: 3, Choice.DISAGREE: 2,
           Choice.STRONGLY_DISAGREE: 1}


class Scale(StrEnum):
    """Which choices a debate offers."""

    THREE = "three"  # agree / neutral / disagree (the default)
    TWO = "two"  # agree / disagree
    FIVE = "five"  # strongly agree ... strongly disagree, shown with a mean

    @property
    def choices(self) -> tuple[Choice, ...]:
        return _SCALES[self]


_SCALES = {
    Scale.THREE: (Choice.AGREE, Choice.NEUTRAL, Choice.DISAGREE),
    Scale.TWO: (Choice.AGREE, Choice.DISAGREE),
    Scale.FIVE: tuple(Choice),
}


class Visibility(StrEnum):
    """When the projector and the phones see a statement's results (moderators always do)."""

    REVEAL = "reveal"  # only once the moderator reveals them (the default)
    CLOSED = "closed"  # once voting closes (or the moderator reveals earlier)
    VOTED = "voted"  # a phone after it has voted; the projector live
    LIVE = "live"  # always, live


class Action(StrEnum):
    """What a moderator can do to a debate's live state."""

    NEXT = "next"
    PREV = "prev"
    GOTO = "goto"
    OPEN = "open"
    CLOSE = "close"
    TOGGLE = "toggle"  # open when not open, close when open (one key for both)
    REVEAL = "reveal"
    HIDE = "hide"
    ROUND2 = "round2"  # vote on the current statement again after the discussion (Oxford style)
    SHOW_GROUPS = "show_groups"  # the projector splits results by audience group
    HIDE_GROUPS = "hide_groups"
    TIMER = "timer"  # count down `seconds`, then close voting (and reveal when asked)
    TIMER_STOP = "timer_stop"


MAX_ROUNDS = 2
MAX_GROUPS = 12
MAX_GROUP_NAME = 40
MAX_NOTES = 5000
MAX_PROPOSAL = 300
MAX_TIMER = 3600
DRAW_POINTS = 5  # a swing smaller than this many percentage points is a draw


@dataclass(frozen=True, slots=True)
class Statement:
    id: int
    debate_id: str
    position: int  # 1-based order in the debate
    text: str
    notes: str = ""  # the moderator's notes or verdict, printed in the report
    rounds: int = 1  # 2 once a second round was started
    proposed: bool = False  # came from the audience and was approved


@dataclass(frozen=True, slots=True)
class Group:
    """An audience group a participant may say they belong to (e.g. "Werkveld")."""

    id: int
    name: str


class ProposalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Proposal:
    """A statement proposed by an attendee, waiting for the moderator."""

    id: int
    debate_id: str
    participant: str
    text: str
    status: ProposalStatus
    created_at: str
    statement_id: int | None = None  # the statement it became, once approved


@dataclass(frozen=True, slots=True)
class LiveState:
    """The part of a debate that the moderator changes during the event."""

    statement_id: int | None
    phase: Phase = Phase.WAITING
    revealed: bool = False
    round: int = 1  # which voting round of the current statement (2: after the discussion)
    show_groups: bool = False  # the projector shows the split by group
    timer_ends: float | None = None  # epoch seconds at which voting closes by itself
    timer_reveal: bool = False  # ... and the results are revealed


@dataclass(frozen=True, slots=True)
class DebateSettings:
    """How a debate votes and shows results; set when it is made, changeable by the moderator."""

    scale: Scale = Scale.THREE
    visibility: Visibility = Visibility.REVEAL
    proposals: bool = False  # attendees may propose statements


@dataclass(slots=True)
class Debate:
    id: str
    title: str
    lang: str
    join_code: str
    created_at: str  # ISO 8601, UTC
    statements: list[Statement] = field(default_factory=list)
    live: LiveState = field(default_factory=lambda: LiveState(None))
    # When set, a phone must type this code (shown only on the projector) before it may vote,
    # so a forwarded join link alone is not enough.
    room_code: str | None = None
    settings: DebateSettings = field(default_factory=DebateSettings)
    groups: list[Group] = field(default_factory=list)
    copied_from: str | None = None  # the debate this one was duplicated from
    peak_connected: int = 0  # most phones connected at once (as last saved)

    @property
    def choices(self) -> tuple[Choice, ...]:
        return self.settings.scale.choices

    def group(self, group_id: int | None) -> Group | None:
        return next((g for g in self.groups if g.id == group_id), None)

    def statement(self, statement_id: int) -> Statement | None:
        """The statement with this id, or None when it is not part of this debate."""
        return next((s for s in self.statements if s.id == statement_id), None)

    @property
    def current(self) -> Statement | None:
        if self.live.statement_id is None:
            return None
        return self.statement(self.live.statement_id)

    def neighbour(self, step: int) -> Statement | None:
        """The statement `step` places away from the current one, or None past either end."""
        current = self.current
        if current is None:
            return self.statements[0] if self.statements and step > 0 else None
        index = self.statements.index(current) + step
        return self.statements[index] if 0 <= index < len(self.statements) else None


@dataclass(frozen=True, slots=True)
class Vote:
    """One vote as cast: the archive keeps every one, the latest per participant counts."""

    debate_id: str
    statement_id: int
    participant: str
    choice: Choice
    client_id: str  # made by the phone; a repeated (participant, client_id) is stored once
    cast_at: str = ""
    round: int = 1


TallyKey = tuple[int, int]  # (statement id, round): tallies are kept per round


@dataclass(slots=True)
class Tally:
    """The counted result of one statement in one round: each participant's latest choice."""

    scale: Scale = Scale.THREE
    choices: dict[str, Choice] = field(default_factory=dict)
    counts: dict[Choice, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.counts:
            self.counts = dict.fromkeys(self.scale.choices, 0)

    def apply(self, participant: str, choice: Choice) -> None:
        """Count `choice` as this participant's answer, replacing any earlier one."""
        previous = self.choices.get(participant)
        if previous is not None:
            self.counts[previous] -= 1
        self.choices[participant] = choice
        # .get: a choice outside the scale (the scale changed after votes) still counts
        self.counts[choice] = self.counts.get(choice, 0) + 1

    @property
    def total(self) -> int:
        return len(self.choices)

    def percentages(self) -> dict[Choice, int]:
        """Whole percentages that add up to exactly 100 (largest remainder), or all 0."""
        total = self.total
        if total == 0:
            return dict.fromkeys(self.counts, 0)
        exact = {c: n * 100 / total for c, n in self.counts.items()}
        whole = {c: int(v) for c, v in exact.items()}
        short = 100 - sum(whole.values())
        for c in sorted(self.counts, key=lambda c: exact[c] - whole[c], reverse=True)[:short]:
            whole[c] += 1
        return whole

    def mean(self) -> float | None:
        """The mean on the 1-5 scale (five-point debates only), one decimal; None when empty."""
        if self.scale is not Scale.FIVE or not self.total:
            return None
        return round(sum(c.score * n for c, n in self.counts.items()) / self.total, 1)

    def subset(self, participants: Iterable[str]) -> Tally:
        """The same statement counted over only these participants."""
        sub = Tally(self.scale)
        for p in participants:
            if (choice := self.choices.get(p)) is not None:
                sub.apply(p, choice)
        return sub

    def as_dict(self) -> dict[str, object]:
        """The JSON shape used on the wire and in exports."""
        out: dict[str, object] = {
            "counts": {c.value: n for c, n in self.counts.items()},
            "percent": {c.value: n for c, n in self.percentages().items()},
            "total": self.total,
        }
        if self.scale is Scale.FIVE:
            out["mean"] = self.mean()
        return out


@dataclass(frozen=True, slots=True)
class Swing:
    """How minds changed between two rounds, counted over the participants who voted in both
    (the Soho Forum rule: a first vote cannot be gamed by people who skip the second)."""

    voters: int
    before: dict[Choice, int]  # whole percentages in round 1 among those voters
    after: dict[Choice, int]  # ... and in round 2
    shift: dict[Choice, int]  # after - before, in percentage points
    leader: Choice | None  # the choice that gained most; None for a draw
    points: int  # its gain

    @property
    def draw(self) -> bool:
        return self.leader is None

    def as_dict(self) -> dict[str, object]:
        return {"voters": self.voters,
                "before": {c.value: n for c, n in self.before.items()},
                "after": {c.value: n for c, n in self.after.items()},
                "shift": {c.value: n for c, n in self.shift.items()},
                "leader": None if self.leader is None else self.leader.value,
                "points": self.points, "draw": self.draw}


def swing(first: Tally, second: Tally) -> Swing | None:
    """The shift from round 1 to round 2 among participants who voted in both; None when nobody
    did. A gain under DRAW_POINTS is a draw."""
    both = first.choices.keys() & second.choices.keys()
    if not both:
        return None
    before = first.subset(both).percentages()
    after = second.subset(both).percentages()
    keys = list(dict.fromkeys([*before, *after]))
    shift = {c: after.get(c, 0) - before.get(c, 0) for c in keys}
    leader = max(keys, key=lambda c: (shift[c], c in (Choice.AGREE, Choice.STRONGLY_AGREE)))
    points = shift[leader]
    return Swing(len(both), before, after, shift, leader if points >= DRAW_POINTS else None,
                 points)


def agree_share(tally: Tally) -> int:
    """Whole percentage of participants who agree (strongly or not)."""
    if not tally.total:
        return 0
    return round(sum(n for c, n in tally.counts.items() if c.agrees) * 100 / tally.total)
