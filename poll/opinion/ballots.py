"""What the opinion map is computed from: each participant's latest answer to each statement,
read from the tallies the hub already keeps. Pure Python: built in the server, sent to the worker.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from ..model import Debate, Scale
from ..tally import Tally, TallyKey

Ballot = tuple[str, int, str]  # (participant, statement id, choice value)

MAX_MIN_VOTES = 7  # Pol.is clusters only participants with 7 votes or more
MIN_PARTICIPANTS = 10  # fewer placed participants: no groups yet


def min_votes(n_statements: int) -> int:
    """How many statements a participant must have answered to be placed on the map: Pol.is's
    7, or half the statements (at least 2) while the debate has fewer than 14, never more than
    the debate has."""
    return min(n_statements, MAX_MIN_VOTES, max(2, math.ceil(n_statements / 2)))


@dataclass(frozen=True, slots=True)
class Ballots:
    """The votes the map is made of: one per participant and statement, in the statement's
    latest round (as the Pol.is export counts them), and the statements in debate order."""

    statements: tuple[int, ...]
    votes: tuple[Ballot, ...]
    scale: Scale = Scale.THREE

    def voters(self) -> int:
        """How many participants voted at all."""
        return len({p for p, _, _ in self.votes})

    def placeable(self) -> int:
        """How many participants answered enough statements to be placed on the map."""
        answers = Counter(p for p, _, _ in self.votes)
        need = min_votes(len(self.statements))
        return sum(1 for n in answers.values() if n >= need)


def ballots_from_tallies(debate: Debate, tallies: Mapping[TallyKey, Tally]) -> Ballots:
    """Every participant's latest choice on every statement, in its latest round: a second
    round's vote replaces the first, so the map shows where the room stands now."""
    votes: list[Ballot] = []
    for statement in debate.statements:
        tally = tallies.get((statement.id, statement.rounds))
        if tally is None:
            continue
        votes.extend((p, statement.id, c.value) for p, c in tally.choices.items())
    return Ballots(tuple(s.id for s in debate.statements), tuple(votes), debate.settings.scale)
