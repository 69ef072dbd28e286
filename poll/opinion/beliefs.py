"""What each group believes (runs in the worker): Pol.is's representativeness per group and
statement, the consensus and the divisive statements. Definitions as in Pol.is's math
(polismath repness.clj) and red-dwarf's port of it (reddwarf/utils/stats.py), with agree = +1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .result import Belief, Direction, Divided, Shared, Stance

Z_90 = 1.2816  # one-sided 90 % (Pol.is's confidence)
PICK_MAX = 5  # representative statements per group, as Pol.is

Counts = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class GroupVotes:
    """Per statement, a group's agree, disagree and all (neutral included) votes."""

    agree: Counts
    disagree: Counts
    voted: Counts

    @property
    def p_agree(self) -> Counts:
        return (self.agree + 1) / (self.voted + 2)

    @property
    def p_disagree(self) -> Counts:
        return (self.disagree + 1) / (self.voted + 2)


def group_votes(values: NDArray[np.float64], members: NDArray[np.bool_]) -> GroupVotes:
    """The counts over the rows in `members` (NaN: not voted; sign: the side)."""
    rows = values[members]
    return GroupVotes((rows > 0).sum(axis=0).astype(float), (rows < 0).sum(axis=0).astype(float),
                      (~np.isnan(rows)).sum(axis=0).astype(float))


def one_prop_z(success: Counts, n: Counts) -> Counts:
    """Pol.is's test that a share is over one half (its prop-test, with a pseudo-count)."""
    return 2 * np.sqrt(n + 1) * ((success + 1) / (n + 1) - 0.5)


def two_prop_z(succ_in: Counts, succ_out: Counts, n_in: Counts, n_out: Counts) -> Counts:
    """Pol.is's two-proportion z-test (each count + 1) that the group's share is higher than
    the rest's; 0 where every vote is a success."""
    p1, p2 = (succ_in + 1) / (n_in + 1), (succ_out + 1) / (n_out + 1)
    pooled = (succ_in + succ_out + 2) / (n_in + n_out + 2)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / (n_in + 1) + 1 / (n_out + 1)))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (p1 - p2) / spread
    return np.where(pooled >= 1, 0.0, z)


def representative(statements: Sequence[int], group: GroupVotes,
                   rest: GroupVotes) -> tuple[Belief, ...]:
    """The group's representative statements, most representative first (at most PICK_MAX):
    those where the group's probability of agreeing (or disagreeing) is significantly over one
    half AND significantly higher than in the rest of the room (both z > Z_90); the direction
    is the one whose two-proportion z is larger; ranked by ratio * z * probability * its z
    (red-dwarf's repness metric). A group may have none."""
    found: list[tuple[Direction, Counts, Counts, Counts, Counts, Counts]] = []
    sides: tuple[tuple[Direction, Counts, Counts, Counts, Counts], ...] = (
            ("agree", group.agree, group.p_agree, rest.p_agree, rest.agree),
            ("disagree", group.disagree, group.p_disagree, rest.p_disagree, rest.disagree))
    for direction, count, p, p_rest, succ_rest in sides:
        p_z = one_prop_z(count, group.voted)
        r_z = two_prop_z(count, succ_rest, group.voted, rest.voted)
        ratio = p / p_rest
        found.append((direction, count, p, p_z, ratio, r_z))
    agree, disagree = found
    beliefs = []
    for j, statement_id in enumerate(statements):
        use = agree if agree[5][j] > disagree[5][j] else disagree
        direction, count, p, p_z, ratio, r_z = use
        if not (p_z[j] > Z_90 and r_z[j] > Z_90):
            continue
        metric = float(ratio[j] * r_z[j] * p[j] * p_z[j])
        beliefs.append((metric, Belief(statement_id, direction, round(float(p[j]), 4),
                                       round(float(ratio[j]), 4), round(float(r_z[j]), 4),
                                       int(count[j]), int(group.voted[j]))))
    beliefs.sort(key=lambda b: -b[0])
    return tuple(b for _, b in beliefs[:PICK_MAX])


def stance_codes(group: GroupVotes) -> Counts:
    """The group's most common side per statement as a vote's sign: +1 agree, -1 disagree,
    0 neutral (a tie of agree and disagree, or a neutral plurality), NaN where it has no vote."""
    neutral = group.voted - group.agree - group.disagree
    codes = np.where((group.agree > group.disagree) & (group.agree > neutral), 1.0,
                     np.where((group.disagree > group.agree) & (group.disagree > neutral),
                              -1.0, 0.0))
    return np.where(group.voted > 0, codes, np.nan)


_STANCE: dict[int, Stance] = {1: "agree", 0: "neutral", -1: "disagree"}  # a stance code's name


def stances(statements: Sequence[int], codes: Counts) -> dict[int, Stance]:
    """The group's stance per statement it voted on, from its `stance_codes`."""
    return {statement_id: _STANCE[int(code)] for statement_id, code in zip(statements, codes,
                                                                          strict=True)
            if not np.isnan(code)}


def agreement(rows: NDArray[np.float64],
              codes: Counts) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Per row (a member's votes, NaN: not voted), (same, of): on how many of the statements
    both the member and its group answered the member's side is the group's stance (`codes`)
    -- "you agree with them on 8 of 10 statements"."""
    both = ~np.isnan(rows) & ~np.isnan(codes)
    same = both & (np.sign(rows) == codes)
    return same.sum(axis=1), both.sum(axis=1)


def consensus(statements: Sequence[int], groups: Sequence[GroupVotes]) -> tuple[Shared, ...]:
    """Statements on which a majority of every group's voters agrees (or every group's
    disagrees): smoothed probability over one half in each group. Strongest (the lowest
    group probability highest) first."""
    shared = []
    for j, statement_id in enumerate(statements):
        sides: tuple[tuple[Direction, list[float]], ...] = (
            ("agree", [float(g.p_agree[j]) for g in groups]),
            ("disagree", [float(g.p_disagree[j]) for g in groups]))
        for direction, p in sides:
            if groups and min(p) > 0.5:
                shared.append(Shared(statement_id, direction, round(float(min(p)), 4)))
    return tuple(sorted(shared, key=lambda s: -s.probability))


def divisive(statements: Sequence[int], letters: Sequence[str],
             groups: Sequence[GroupVotes]) -> tuple[Divided, ...]:
    """Statements on which at least one group's majority agrees and another's disagrees,
    the widest spread of P(agree) between groups first."""
    divided = []
    for j, statement_id in enumerate(statements):
        agreeing = tuple(x for x, g in zip(letters, groups, strict=True) if g.p_agree[j] > 0.5)
        disagreeing = tuple(x for x, g in zip(letters, groups, strict=True)
                            if g.p_disagree[j] > 0.5)
        if agreeing and disagreeing:
            p = [float(g.p_agree[j]) for g in groups]
            divided.append(Divided(statement_id, agreeing, disagreeing,
                                   round(max(p) - min(p), 4)))
    return tuple(sorted(divided, key=lambda d: -d.spread))
