"""What the opinion map is computed from: each participant's latest answer to each statement,
read from the tallies the hub already keeps. Pure Python: built in the server, sent to the worker.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..model import Debate, Scale
from ..tally import Tally, TallyKey

Ballot = tuple[str, int, str]  # (participant, statement id, choice value)


@dataclass(frozen=True, slots=True)
class Ballots:
    """The votes the map is made of: one per participant and statement, in the statement's
    latest round (as the Pol.is export counts them), and the statements in debate order."""

    statements: tuple[int, ...]
    votes: tuple[Ballot, ...]
    scale: Scale = Scale.THREE


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
