"""The opinion map as the hub, the pages and the exports read it: frozen dataclasses of plain
Python values (no numpy), so it crosses from the worker process and is turned into JSON with
`numbers()`. Everyone placed on it is kept in columns (`PlacedRows`), so the map crosses back
as a few flat arrays."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypedDict, overload

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


class PlacedRows(Sequence[Placed]):
    """Everyone placed on a map, in columns; a `Placed` is made when one is read. The map
    crosses from the worker every few seconds, and the server's thread that reads it back holds
    the interpreter lock meanwhile: 2,000 Placed objects took 2 ms there (10,000 some 10 ms)
    while votes waited, these columns well under one (docs/performance.md, "The opinion map,
    live")."""

    __slots__ = ("_rows", "groups", "of", "participants", "same", "xs", "ys")

    def __init__(self, participants: Iterable[str], xs: Iterable[float], ys: Iterable[float],
                 groups: Iterable[str | None], same: Iterable[int], of: Iterable[int]) -> None:
        self.participants = tuple(participants)
        self.xs, self.ys = array("d", xs), array("d", ys)
        self.groups = tuple(groups)
        self.same, self.of = array("I", same), array("I", of)
        n = len(self.participants)
        if not len(self.xs) == len(self.ys) == len(self.groups) == len(self.same) \
                == len(self.of) == n:
            raise ValueError("every column must have a row per participant")
        self._rows: dict[str, int] | None = None  # participant -> row, built when first asked

    def __len__(self) -> int:
        return len(self.participants)

    @overload
    def __getitem__(self, i: int) -> Placed: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[Placed, ...]: ...

    def __getitem__(self, i: int | slice) -> Placed | tuple[Placed, ...]:
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(len(self))))
        return Placed(self.participants[i], self.xs[i], self.ys[i], self.groups[i],
                      self.same[i], self.of[i])

    def __iter__(self) -> Iterator[Placed]:
        return map(Placed, self.participants, self.xs, self.ys, self.groups, self.same, self.of)

    def row(self, participant: str) -> int | None:
        """`participant`'s row in the columns (None: not placed); the first call builds the
        look-up, a pass over the participants."""
        if self._rows is None:
            self._rows = {p: i for i, p in enumerate(self.participants)}
        return self._rows.get(participant)

    def find(self, participant: str) -> Placed | None:
        """Where `participant` is on the map (None: not placed)."""
        i = self.row(participant)
        return None if i is None else self[i]

    def _columns(self) -> tuple[object, ...]:
        return (self.participants, self.xs, self.ys, self.groups, self.same, self.of)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PlacedRows):
            return self._columns() == other._columns()
        if isinstance(other, Sequence):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal by value, like a list: not a key

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return PlacedRows, self._columns()

    def __repr__(self) -> str:
        return f"PlacedRows({len(self)} placed)"


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
    placed: PlacedRows
    groups: tuple[OpinionGroup, ...]  # by letter; empty when the room has no groups (yet)
    why_no_groups: str | None  # "too_few", "no_structure" or None
    silhouette: float | None
    consensus: tuple[Shared, ...]
    divisive: tuple[Divided, ...]
    seconds: float  # how long the computation took in the worker

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
