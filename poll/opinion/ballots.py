"""What the opinion map is computed from: each participant's latest answer to each statement,
read from the tallies the hub already keeps. Pure Python: built in the server, sent to the worker.

Packed, because it is built on the event loop and pickled to the worker every few seconds: one
`bytes` column per statement, a byte per participant (0: no answer), instead of a tuple per vote.
At 2,000 phones and 30 statements that is 60 KB and well under a millisecond to pickle, against
650 KB and 13 ms for 60,000 tuples, whose pickling holds the interpreter's lock while votes wait
(docs/performance.md, "The opinion map, live"). `gather_ballots` also gives the event loop back
after every statement.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from ..model import Choice, Debate, Scale
from ..tally import Tally, TallyKey

Ballot = tuple[str, int, str]  # (participant, statement id, choice value)

MAX_MIN_VOTES = 7  # Pol.is clusters only participants with 7 votes or more
MIN_PARTICIPANTS = 10  # fewer placed participants: no groups yet

# A column's byte for each choice (0: the participant did not answer the statement).
CHOICES: tuple[Choice | None, ...] = (None, *Choice)
CODE: dict[Choice, int] = {c: i for i, c in enumerate(CHOICES) if c is not None}
_ANSWERED = bytes([0] + [1] * 255)  # bytes.translate: any answer -> 1


def min_votes(n_statements: int) -> int:
    """How many statements a participant must have answered to be placed on the map: Pol.is's
    7, or half the statements (at least 2) while the debate has fewer than 14, never more than
    the debate has."""
    return min(n_statements, MAX_MIN_VOTES, max(2, math.ceil(n_statements / 2)))


@dataclass(frozen=True, slots=True)
class Ballots:
    """The votes the map is made of: one per participant and statement, in the statement's
    latest round (as the Pol.is export counts them), and the statements in debate order.

    `columns[j][i]` is participant i's answer to statement j as `CODE` has it, 0 for none; a
    column may be shorter than `participants` (those past its end did not answer it). Everyone
    in `participants` answered at least one statement."""

    statements: tuple[int, ...]
    participants: tuple[str, ...]
    columns: tuple[bytes, ...]
    scale: Scale = Scale.THREE

    @classmethod
    def from_votes(cls, statements: Iterable[int], votes: Iterable[Ballot],
                   scale: Scale = Scale.THREE) -> Ballots:
        """Ballots from (participant, statement id, choice value) triples; a vote on a statement
        not in `statements` is left out, a later vote of the same person replaces an earlier."""
        order = tuple(statements)
        column = {s: j for j, s in enumerate(order)}
        index: dict[str, int] = {}
        cells: list[dict[int, int]] = [{} for _ in order]
        for participant, statement, choice in votes:
            if (j := column.get(statement)) is not None:
                cells[j][index.setdefault(participant, len(index))] = CODE[Choice(choice)]
        columns = []
        for answers in cells:
            packed = bytearray(len(index))
            for i, code in answers.items():
                packed[i] = code
            columns.append(bytes(packed))
        return cls(order, tuple(index), tuple(columns), scale)

    @property
    def votes(self) -> tuple[Ballot, ...]:
        """Every vote as a (participant, statement id, choice value) triple, statement by
        statement (for tests and tools; the worker reads the columns)."""
        people = self.participants
        return tuple((people[i], s, CHOICES[code].value)  # type: ignore[union-attr]
                     for s, col in zip(self.statements, self.columns, strict=True)
                     for i, code in enumerate(col) if code)

    def voters(self) -> int:
        """How many participants voted at all."""
        return len(self.participants)

    def answered(self) -> list[int]:
        """How many statements each participant answered (in `participants`' order)."""
        n = len(self.participants)
        counts = [0] * n
        # Byte lanes of one big integer per 255 columns: a sum with no Python loop per vote.
        for start in range(0, len(self.columns), 255):
            lanes = sum(int.from_bytes(col.translate(_ANSWERED), "little")
                        for col in self.columns[start:start + 255])
            counts = [a + b for a, b in zip(counts, lanes.to_bytes(n, "little"), strict=True)]
        return counts

    def placeable(self) -> int:
        """How many participants answered enough statements to be placed on the map."""
        need = min_votes(len(self.statements))
        return sum(1 for n in self.answered() if n >= need)


def ballots_from_tallies(debate: Debate, tallies: Mapping[TallyKey, Tally]) -> Ballots:
    """Every participant's latest choice on every statement, in its latest round: a second
    round's vote replaces the first, so the map shows where the room stands now."""
    packing = _Packing(debate, tallies)
    for _ in packing:
        pass
    return packing.ballots()


async def gather_ballots(debate: Debate, tallies: Mapping[TallyKey, Tally]) -> Ballots:
    """`ballots_from_tallies`, giving the event loop back after each statement (at 10,000
    phones a statement's column is about a millisecond of work; all of them at once were tens).
    Votes counted meanwhile may or may not be in it: the next map has them."""
    packing = _Packing(debate, tallies)
    for _ in packing:
        await asyncio.sleep(0)
    return packing.ballots()


class _Packing:
    """Builds the columns one statement per step (iterate it), from the statements as they were
    when it started."""

    def __init__(self, debate: Debate, tallies: Mapping[TallyKey, Tally]) -> None:
        self.keys = tuple((s.id, s.rounds) for s in debate.statements)
        self.tallies = tallies
        self.scale = debate.settings.scale
        self.index: dict[str, int] = {}
        self.columns: list[bytes] = []

    def __iter__(self) -> Iterator[None]:
        index, code = self.index, CODE
        for key in self.keys:
            tally = self.tallies.get(key)
            choices = tally.choices if tally is not None else {}
            column = bytearray(len(index) + len(choices))
            for participant, choice in choices.items():
                i = index.get(participant)
                if i is None:
                    i = index[participant] = len(index)
                column[i] = code[choice]
            del column[len(index):]
            self.columns.append(bytes(column))
            yield None

    def ballots(self) -> Ballots:
        return Ballots(tuple(s for s, _ in self.keys), tuple(self.index), tuple(self.columns),
                       self.scale)
