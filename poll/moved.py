"""How minds moved between a statement's two rounds: of those who disagreed in round 1, how many
now agree, stay, or turned neutral. The swing (`poll.tally.swing`) gives only the net shift;
this counts each move, over the same participants (those who voted in both rounds)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict

from .model import Choice, Statement
from .tally import Tally, TallyKey


class MoveNumbers(TypedDict):
    before: str  # the choice in round 1
    after: str  # ... and in round 2
    count: int


class MovesNumbers(TypedDict):
    voters: int
    moves: list[MoveNumbers]


@dataclass(frozen=True, slots=True)
class Moves:
    """Participants who voted in both rounds, counted by (round-1 choice, round-2 choice)."""

    voters: int
    choices: tuple[Choice, ...]  # the scale's choices, most agreeing first
    counts: Mapping[tuple[Choice, Choice], int]  # every pair of `choices`, 0 included

    def count(self, before: Choice, after: Choice) -> int:
        return self.counts.get((before, after), 0)

    def stayed(self) -> int:
        """How many answered the same in both rounds."""
        return sum(n for (b, a), n in self.counts.items() if a == b)

    def numbers(self) -> MovesNumbers:
        """The JSON shape for frames and exports: every pair, in scale order."""
        return MovesNumbers(voters=self.voters,
                            moves=[MoveNumbers(before=b.value, after=a.value, count=n)
                                   for (b, a), n in self.counts.items()])


def moves(first: Tally, second: Tally) -> Moves | None:
    """Each move from round 1 to round 2 among participants who voted in both; None when
    nobody did. A choice outside the scale (the scale changed after votes) is counted too."""
    both = first.choices.keys() & second.choices.keys()
    if not both:
        return None
    seen = {first.choices[p] for p in both} | {second.choices[p] for p in both}
    choices = (*first.scale.choices, *sorted(seen - set(first.scale.choices)))
    counts = {(b, a): 0 for b in choices for a in choices}
    for participant in both:
        counts[first.choices[participant], second.choices[participant]] += 1
    return Moves(len(both), choices, counts)


def moves_of(tallies: Mapping[TallyKey, Tally], statement: Statement) -> Moves | None:
    """How minds moved on this statement, or None without a second round (or no one in both)."""
    first, second = tallies.get((statement.id, 1)), tallies.get((statement.id, 2))
    if first is None or second is None:
        return None
    return moves(first, second)
