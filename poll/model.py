"""The debate's own vocabulary: Debate, Statement, Phase, Choice, Vote, Tally.

Plain dataclasses and enums with no I/O, so the store, the hub, the views and the exports share
one meaning of every word.
"""

from __future__ import annotations

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
    """What a participant can answer to a statement, in display order."""

    AGREE = "agree"
    NEUTRAL = "neutral"
    DISAGREE = "disagree"


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


@dataclass(frozen=True, slots=True)
class Statement:
    id: int
    debate_id: str
    position: int  # 1-based order in the debate
    text: str


@dataclass(frozen=True, slots=True)
class LiveState:
    """The part of a debate that the moderator changes during the event."""

    statement_id: int | None
    phase: Phase = Phase.WAITING
    revealed: bool = False


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


@dataclass(slots=True)
class Tally:
    """The counted result of one statement: each participant's latest choice."""

    choices: dict[str, Choice] = field(default_factory=dict)
    counts: dict[Choice, int] = field(default_factory=lambda: dict.fromkeys(Choice, 0))

    def apply(self, participant: str, choice: Choice) -> None:
        """Count `choice` as this participant's answer, replacing any earlier one."""
        previous = self.choices.get(participant)
        if previous is not None:
            self.counts[previous] -= 1
        self.choices[participant] = choice
        self.counts[choice] += 1

    @property
    def total(self) -> int:
        return len(self.choices)

    def percentages(self) -> dict[Choice, int]:
        """Whole percentages that add up to exactly 100 (largest remainder), or all 0."""
        total = self.total
        if total == 0:
            return dict.fromkeys(Choice, 0)
        exact = {c: self.counts[c] * 100 / total for c in Choice}
        whole = {c: int(v) for c, v in exact.items()}
        short = 100 - sum(whole.values())
        for c in sorted(Choice, key=lambda c: exact[c] - whole[c], reverse=True)[:short]:
            whole[c] += 1
        return whole

    def as_dict(self) -> dict[str, object]:
        """The JSON shape used on the wire and in exports."""
        return {
            "counts": {c.value: n for c, n in self.counts.items()},
            "percent": {c.value: n for c, n in self.percentages().items()},
            "total": self.total,
        }
