"""Counting votes: a statement's Tally in one round, and the Swing between two rounds.

A tally holds each participant's latest choice, so a change of mind replaces a vote instead of
adding one; percentages are whole numbers that add up to 100. No I/O: the hub keeps tallies in
memory, the store rebuilds them from the archive, the report and the exports read them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NotRequired, TypedDict

from .model import Choice, Scale

DRAW_POINTS = 5  # a swing smaller than this many percentage points is a draw


class Numbers(TypedDict):
    """A tally as sent on the wire and exported: counts and whole percentages per choice value,
    the number of voters, and the mean on 1-5 for five-point debates."""

    counts: dict[str, int]
    percent: dict[str, int]
    total: int
    mean: NotRequired[float | None]


class SwingNumbers(TypedDict):
    """A swing as sent on the wire and exported."""

    voters: int
    before: dict[str, int]
    after: dict[str, int]
    shift: dict[str, int]
    leader: str | None
    points: int
    draw: bool


TallyKey = tuple[int, int]  # (statement id, round): tallies are kept per round


@dataclass(slots=True)
class Tally:
    """The counted result of one statement in one round: each participant's latest choice."""

    scale: Scale = Scale.THREE
    choices: dict[str, Choice] = field(default_factory=dict)
    counts: dict[Choice, int] = field(default_factory=dict)
    # How many times a vote was counted in it: what a cache of it checks for "changed since"
    # (poll.opinion.ballots.Packer); not part of what the tally says.
    changes: int = field(default=0, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.counts:
            self.counts = dict.fromkeys(self.scale.choices, 0)

    def apply(self, participant: str, choice: Choice) -> None:
        """Count `choice` as this participant's answer, replacing any earlier one."""
        self.changes += 1
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

    def numbers(self) -> Numbers:
        """The JSON shape used on the wire and in exports."""
        out = Numbers(counts={c.value: n for c, n in self.counts.items()},
                      percent={c.value: n for c, n in self.percentages().items()},
                      total=self.total)
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

    def numbers(self) -> SwingNumbers:
        """The JSON shape used on the wire and in exports."""
        return SwingNumbers(voters=self.voters,
                            before={c.value: n for c, n in self.before.items()},
                            after={c.value: n for c, n in self.after.items()},
                            shift={c.value: n for c, n in self.shift.items()},
                            leader=None if self.leader is None else self.leader.value,
                            points=self.points, draw=self.draw)


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
