"""What the opinion map is computed from: each participant's latest answer to each statement,
read from the tallies the hub already keeps. Pure Python: built in the server, sent to the worker.

Packed, because it is built on the event loop and pickled to the worker every few seconds: one
`bytes` column per statement, a byte per participant (0: no answer), instead of a tuple per vote.
At 2,000 phones and 30 statements that is 60 KB and well under a millisecond to pickle, against
650 KB and 13 ms for 60,000 tuples, whose pickling holds the interpreter's lock while votes wait
(docs/performance.md, "The opinion map, live"). A room's `Packer` packs again only the statements
whose votes changed since its last map, and gives the event loop back after each.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable, Mapping
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
    index: dict[str, int] = {}
    keys = _keys(debate)
    columns = tuple(_column(tallies.get(key), index) for key in keys)
    return Ballots(tuple(s for s, _ in keys), tuple(index), columns, debate.settings.scale)


class Packer:
    """Ballots for map after map of one room, packing again only the statements whose tally
    changed since the last map: in a live debate that is the one on stage, so a map no longer
    packs every column (at 10,000 phones about a millisecond each, on the event loop). The
    participants keep their places in the columns from one map to the next; a column kept from
    an earlier map may be shorter than the participants (those past its end did not answer).

    It starts over when the room's tallies were replaced (a reload), when a statement's round
    or the statement itself went away, or when the scale changed: then a kept participant
    could have no answer left, which Ballots promises never happens (votes are only ever
    added to or changed within a tally, never taken out)."""

    def __init__(self) -> None:
        self._reset(None, Scale.THREE)

    def _reset(self, tallies: Mapping[TallyKey, Tally] | None, scale: Scale) -> None:
        self._tallies = tallies
        self._scale = scale
        self._index: dict[str, int] = {}
        # key -> (the tally, its `changes` when packed, the column)
        self._columns: dict[TallyKey, tuple[Tally, int, bytes]] = {}

    async def gather(self, debate: Debate, tallies: Mapping[TallyKey, Tally]) -> Ballots:
        """`ballots_from_tallies(debate, tallies)`, the same votes (participants perhaps in
        another order), giving the event loop back after each statement it packs. Votes
        counted meanwhile may or may not be in it: the next map has them."""
        keys = _keys(debate)
        scale = debate.settings.scale
        if (tallies is not self._tallies or scale is not self._scale
                or not self._columns.keys() <= set(keys)):
            self._reset(tallies, scale)
        columns = []
        for key in keys:
            tally = tallies.get(key)
            kept = self._columns.get(key)
            if tally is None:
                columns.append(b"")
            elif kept is not None and kept[0] is tally and kept[1] == tally.changes:
                columns.append(kept[2])
            else:
                column = _column(tally, self._index)
                self._columns[key] = (tally, tally.changes, column)
                columns.append(column)
                await asyncio.sleep(0)
        return Ballots(tuple(s for s, _ in keys), tuple(self._index), tuple(columns), scale)


def _keys(debate: Debate) -> tuple[TallyKey, ...]:
    return tuple((s.id, s.rounds) for s in debate.statements)


def _column(tally: Tally | None, index: dict[str, int]) -> bytes:
    """`tally`'s choices as a column of CODE bytes by `index` (participants not in it yet are
    added to it), as long as `index` is then."""
    if tally is None:
        return b""
    code = CODE
    column = bytearray(len(index) + len(tally.choices))
    for participant, choice in tally.choices.items():
        i = index.get(participant)
        if i is None:
            i = index[participant] = len(index)
        column[i] = code[choice]
    del column[len(index):]
    return bytes(column)
