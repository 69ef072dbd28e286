"""One computation of the opinion map, from ballots to `OpinionMap` (runs in the worker:
this is the module the worker process imports, and with it numpy and scikit-learn)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import numpy as np

from .ballots import Ballots, min_votes
from .beliefs import (
    agreement,
    consensus,
    divisive,
    group_votes,
    representative,
    stance_codes,
    stances,
)
from .groups import find_groups, positions
from .letters import letters
from .matrix import placeable, vote_matrix
from .result import Divided, OpinionGroup, OpinionMap, PlacedRows, Shared


def compute(ballots: Ballots, previous: OpinionMap | None = None) -> OpinionMap:
    """The map of the room: participants with at least `min_votes` answers placed by PCA and
    grouped by k-means (letters kept from `previous` where a group kept most of its members),
    each group's representative statements, and the consensus and divisive statements."""
    started = time.perf_counter()
    everyone = vote_matrix(ballots)
    matrix = placeable(everyone)
    placed_before = (dict(zip(previous.placed.participants,
                              zip(previous.placed.xs, previous.placed.ys, strict=True),
                              strict=True)) if previous else None)
    points = (positions(matrix, placed_before) if len(matrix.participants) >= 2
              else np.zeros((len(matrix.participants), 2)))
    found = find_groups(points)
    statements = matrix.statements
    groups: list[OpinionGroup] = []
    shared: tuple[Shared, ...] = ()
    divided: tuple[Divided, ...] = ()
    names: list[str | None] = [None] * len(matrix.participants)
    same = np.zeros(len(matrix.participants), dtype=np.int64)  # each one's agreement with its
    of = np.zeros(len(matrix.participants), dtype=np.int64)  # group, for the phones' lines
    if found.labels is not None:
        letter_of = letters(matrix.participants, found.labels.tolist(),
                            previous.letters() if previous else {})
        names = [letter_of[c] for c in found.labels.tolist()]
        order = sorted(letter_of, key=lambda c: letter_of[c])
        votes = []
        for label in order:
            members = found.labels == label
            votes.append(group_votes(matrix.values, members))
            rest = group_votes(matrix.values, ~members)
            centre = points[members].mean(axis=0)
            codes = stance_codes(votes[-1])
            same[members], of[members] = agreement(matrix.values[members], codes)
            groups.append(OpinionGroup(letter_of[label], int(members.sum()),
                                       (round(float(centre[0]), 4), round(float(centre[1]), 4)),
                                       representative(statements, votes[-1], rest),
                                       stances(statements, codes)))
        shared = consensus(statements, votes)
        divided = divisive(statements, [g.letter for g in groups], votes)
    elif len(matrix.participants):
        # no groups: what the whole room shares is still worth showing
        shared = consensus(statements, [group_votes(matrix.values,
                                                    np.ones(len(points), dtype=bool))])
    at = np.round(points, 4)
    placed = PlacedRows(matrix.participants, at[:, 0].tolist(), at[:, 1].tolist(), names,
                        same.tolist(), of.tolist())
    return OpinionMap(
        computed_at=datetime.now(UTC).isoformat(timespec="seconds"),
        votes=int(everyone.voted.sum()), voters=len(everyone.participants),
        min_votes=min_votes(len(statements)), placed=placed, groups=tuple(groups),
        why_no_groups=found.why_none,
        silhouette=None if found.silhouette is None else round(found.silhouette, 4),
        consensus=shared, divisive=divided,
        seconds=round(time.perf_counter() - started, 3))
