"""Group letters that stay put: a group keeps its letter when it keeps most of its members
(runs in the worker: scipy's Hungarian matching)."""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

LETTERS = string.ascii_uppercase


def letters(participants: Sequence[str], labels: Sequence[int],
            previous: Mapping[str, str]) -> dict[int, str]:
    """A letter per cluster label. Each cluster is matched to at most one earlier group, the
    matching that keeps the most participants together (Hungarian method on the overlaps);
    it takes that group's letter when it holds more than half of the group's members who are
    still on the map. The other clusters get the first letters no earlier group had (then any
    free letter), largest cluster first; with no earlier map, A is the largest."""
    clusters = sorted(set(labels), key=lambda c: (-list(labels).count(c), c))
    named: dict[int, str] = {}
    before = sorted({previous[p] for p in participants if p in previous})
    if before:
        overlap = np.zeros((len(clusters), len(before)))
        present = dict.fromkeys(before, 0)
        index = {c: i for i, c in enumerate(clusters)}
        column = {letter: j for j, letter in enumerate(before)}
        for p, c in zip(participants, labels, strict=True):
            if (letter := previous.get(p)) is not None:
                overlap[index[c], column[letter]] += 1
                present[letter] += 1
        rows, cols = linear_sum_assignment(overlap, maximize=True)
        for i, j in zip(rows, cols, strict=True):
            if overlap[i, j] * 2 > present[before[j]]:
                named[clusters[i]] = before[j]
    used = set(named.values())
    earlier = set(previous.values())
    fresh = [x for x in LETTERS if x not in used and x not in earlier]
    spare = [x for x in LETTERS if x not in used and x not in fresh]
    free = iter([*fresh, *spare])
    for c in clusters:
        if c not in named:
            named[c] = next(free)
    return named
