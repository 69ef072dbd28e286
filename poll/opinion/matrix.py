"""The participant x statement vote matrix (runs in the worker: numpy).

Values: agree +1, disagree -1, neutral 0; on a five-point scale strongly agree +1, agree +0.5,
neutral 0, disagree -0.5, strongly disagree -1. A statement a participant did not answer is NaN
here; `groups.positions` fills it with the statement's mean, which is 0 once PCA centres the
columns (docs/opinion.md says why this, and not a plain 0, is what Pol.is does).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..model import Choice, Scale
from .ballots import CHOICES, Ballots, min_votes

_THREE = {Choice.STRONGLY_AGREE: 1.0, Choice.AGREE: 1.0, Choice.NEUTRAL: 0.0,
          Choice.DISAGREE: -1.0, Choice.STRONGLY_DISAGREE: -1.0}
_FIVE = {Choice.STRONGLY_AGREE: 1.0, Choice.AGREE: 0.5, Choice.NEUTRAL: 0.0,
         Choice.DISAGREE: -0.5, Choice.STRONGLY_DISAGREE: -1.0}

def vote_value(choice: Choice, scale: Scale) -> float:
    """A choice as a number on -1..+1 (the sign is what Pol.is's export writes)."""
    return (_FIVE if scale is Scale.FIVE else _THREE)[choice]


@dataclass(frozen=True, slots=True)
class VoteMatrix:
    """Rows are participants, columns statements; NaN where a participant did not answer."""

    participants: tuple[str, ...]
    statements: tuple[int, ...]
    values: NDArray[np.float64]

    @property
    def voted(self) -> NDArray[np.bool_]:
        return ~np.isnan(self.values)

    def rows(self, keep: NDArray[np.bool_]) -> VoteMatrix:
        """The same matrix with only the rows where `keep` is true."""
        people = tuple(p for p, k in zip(self.participants, keep, strict=True) if k)
        return VoteMatrix(people, self.statements, self.values[keep])


def vote_matrix(ballots: Ballots) -> VoteMatrix:
    """Every participant who voted at all, in the order of `ballots.participants`."""
    # code -> value, NaN for "no answer"
    table = np.array([np.nan if c is None else vote_value(c, ballots.scale) for c in CHOICES])
    values = np.full((len(ballots.participants), len(ballots.statements)), np.nan)
    for j, column in enumerate(ballots.columns):
        values[:len(column), j] = table[np.frombuffer(column, dtype=np.uint8)]
    return VoteMatrix(ballots.participants, ballots.statements, values)


def placeable(matrix: VoteMatrix) -> VoteMatrix:
    """The participants who answered at least `min_votes` statements."""
    counts = matrix.voted.sum(axis=1)
    return matrix.rows(counts >= min_votes(len(matrix.statements)))
