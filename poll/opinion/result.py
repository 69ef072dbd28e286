"""The opinion map as the hub, the pages and the exports read it: frozen dataclasses of plain
Python values (no numpy), so it crosses from the worker process and is turned into JSON with
`numbers()`."""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypedDict

Direction = Literal["agree", "disagree"]
Stance = Literal["agree", "neutral", "disagree"]


@dataclass(frozen=True, slots=True)
class Placed:
    """One participant on the map (group None: the map has no groups), and how closely it
    agrees with its group: on `same` of the `of` statements both it and the group answered, its
    side is the group's most common one ("you agree with them on 8 of 10"; 0 of 0 with no
    groups). Computed with the map, from the same votes, so the phones' lines are look-ups."""

    participant: str
    x: float
    y: float
    group: str | None
    same: int = 0
    of: int = 0


@dataclass(frozen=True, slots=True)
class Belief:
    """A statement that sets a group apart: the group's (smoothed) probability of voting
    `direction` on it, how many times likelier that is than in the rest of the room (ratio),
    and the significance of that difference (z of the two-proportion test)."""

    statement_id: int
    direction: Direction
    probability: float
    ratio: float
    z: float
    count: int  # the group's votes in `direction`
    voters: int  # the group's votes on the statement (neutral included)


@dataclass(frozen=True, slots=True)
class OpinionGroup:
    letter: str
    size: int
    centre: tuple[float, float]
    representative: tuple[Belief, ...]  # most representative first
    stances: Mapping[int, Stance]  # the group's most common answer per statement it voted on


@dataclass(frozen=True, slots=True)
class Shared:
    """A statement on which a majority of every group votes the same way; `probability` is
    the lowest of the groups' (smoothed) probabilities in `direction`."""

    statement_id: int
    direction: Direction
    probability: float


@dataclass(frozen=True, slots=True)
class Divided:
    """A statement on which one group's majority agrees and another's disagrees; `spread` is
    the largest P(agree) of a group minus the smallest (0..1)."""

    statement_id: int
    agreeing: tuple[str, ...]  # letters of the groups whose majority agrees
    disagreeing: tuple[str, ...]
    spread: float


@dataclass(frozen=True, slots=True)
class OpinionMap:
    """One computation: who stands where, the groups, what they believe."""

    computed_at: str  # ISO 8601, UTC
    votes: int  # the votes it was computed from (one per participant and statement)
    voters: int  # participants who voted at all
    min_votes: int  # ... and how many statements one must have answered to be placed
    placed: tuple[Placed, ...]
    groups: tuple[OpinionGroup, ...]  # by letter; empty when the room has no groups (yet)
    why_no_groups: str | None  # "too_few", "no_structure" or None
    silhouette: float | None
    consensus: tuple[Shared, ...]
    divisive: tuple[Divided, ...]
    seconds: float  # how long the computation took in the worker

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # Pickled to and from the worker every few seconds: the placed participants go as four
        # flat sequences, not a Placed object each (11 ms to unpickle 2,000 of those, on the
        # server's thread, against well under one; docs/performance.md, "The opinion map, live").
        placed = self.placed
        fields = tuple(getattr(self, f) for f in _FIELDS)
        return _rebuild, (fields, tuple(p.participant for p in placed),
                          array("d", (p.x for p in placed)), array("d", (p.y for p in placed)),
                          tuple(p.group for p in placed), array("I", (p.same for p in placed)),
                          array("I", (p.of for p in placed)))

    def letters(self) -> dict[str, str]:
        """participant -> group letter, for every placed participant in a group (build it once
        per map: it is what the phones' "you are in group B" and the next computation read)."""
        return {p.participant: p.group for p in self.placed if p.group is not None}

    def group(self, letter: str | None) -> OpinionGroup | None:
        return next((g for g in self.groups if g.letter == letter), None)

    def numbers(self) -> MapNumbers:
        """The JSON shape for frames and exports."""
        return MapNumbers(
            computed_at=self.computed_at, votes=self.votes, voters=self.voters,
            min_votes=self.min_votes, why_no_groups=self.why_no_groups,
            silhouette=self.silhouette, seconds=self.seconds,
            placed=[PlacedNumbers(participant=p.participant, x=p.x, y=p.y, group=p.group)
                    for p in self.placed],
            groups=[GroupNumbers(letter=g.letter, size=g.size, centre=[*g.centre],
                                 representative=[_belief(b) for b in g.representative],
                                 stances={str(k): v for k, v in g.stances.items()})
                    for g in self.groups],
            consensus=[SharedNumbers(statement_id=s.statement_id, direction=s.direction,
                                     probability=s.probability) for s in self.consensus],
            divisive=[DividedNumbers(statement_id=d.statement_id, agreeing=[*d.agreeing],
                                     disagreeing=[*d.disagreeing], spread=d.spread)
                      for d in self.divisive])


_FIELDS = tuple(f for f in OpinionMap.__dataclass_fields__ if f != "placed")


def _rebuild(fields: tuple[object, ...], participants: tuple[str, ...], xs: array[float],
             ys: array[float], groups: tuple[str | None, ...], same: array[int],
             of: array[int]) -> OpinionMap:
    placed = tuple(map(Placed, participants, xs, ys, groups, same, of))
    return OpinionMap(**dict(zip(_FIELDS, fields, strict=True)), placed=placed)  # type: ignore[arg-type]


class PlacedNumbers(TypedDict):
    participant: str
    x: float
    y: float
    group: str | None


class BeliefNumbers(TypedDict):
    statement_id: int
    direction: Direction
    probability: float
    ratio: float
    z: float
    count: int
    voters: int


class GroupNumbers(TypedDict):
    letter: str
    size: int
    centre: list[float]
    representative: list[BeliefNumbers]
    stances: dict[str, Stance]  # statement id (as a JSON key) -> stance


class SharedNumbers(TypedDict):
    statement_id: int
    direction: Direction
    probability: float


class DividedNumbers(TypedDict):
    statement_id: int
    agreeing: list[str]
    disagreeing: list[str]
    spread: float


class MapNumbers(TypedDict):
    computed_at: str
    votes: int
    voters: int
    min_votes: int
    why_no_groups: str | None
    silhouette: float | None
    seconds: float
    placed: list[PlacedNumbers]
    groups: list[GroupNumbers]
    consensus: list[SharedNumbers]
    divisive: list[DividedNumbers]


def _belief(b: Belief) -> BeliefNumbers:
    return BeliefNumbers(statement_id=b.statement_id, direction=b.direction,
                         probability=b.probability, ratio=b.ratio, z=b.z, count=b.count,
                         voters=b.voters)
