"""Vote matrices with planted opinion groups, for the opinion-map tests and benchmark."""

from __future__ import annotations

import random

from poll.model import Choice
from poll.opinion.ballots import Ballot, Ballots

THREE = (Choice.AGREE.value, Choice.NEUTRAL.value, Choice.DISAGREE.value)


def prototypes(groups: int, statements: int, seed: int = 1) -> list[list[int]]:
    """Each group's answer (+1 / -1) per statement. Up to three groups: independent coin
    flips (three points always span a plane, so two PCA dimensions can show them); four
    groups: two independent splits of the room, each deciding half the statements, so the
    four groups sit at the corners of a square in the plane (four random points in 20
    dimensions need not be separable in two)."""
    rng = random.Random(seed)
    if groups <= 3:
        while True:
            rows = [[rng.choice((1, -1)) for _ in range(statements)] for _ in range(groups)]
            if len({tuple(r) for r in rows}) == groups:
                return rows
    signs = [rng.choice((1, -1)) for _ in range(statements)]
    half = statements // 2
    return [[(a if j < half else b) * signs[j] for j in range(statements)]
            for a in (1, -1) for b in (1, -1)][:groups]


def planted(groups: int, per_group: int, statements: int, noise: float,
            seed: int = 1, rows: list[list[int]] | None = None) -> tuple[Ballots, list[int]]:
    """Ballots where group g's members vote its prototype, each vote replaced with probability
    `noise` by a random agree / neutral / disagree; and each participant's planted group."""
    rng = random.Random(seed)
    rows = rows or prototypes(groups, statements, seed)
    votes: list[Ballot] = []
    truth: list[int] = []
    for g, row in enumerate(rows):
        for i in range(per_group):
            participant = f"p{g}-{i}"
            truth.append(g)
            for j, answer in enumerate(row):
                choice = THREE[0] if answer > 0 else THREE[2] if answer < 0 else THREE[1]
                if rng.random() < noise:
                    choice = rng.choice(THREE)
                votes.append((participant, j + 1, choice))
    return Ballots.from_votes(range(1, statements + 1), votes), truth


def unstructured(participants: int, statements: int, seed: int = 1) -> Ballots:
    """Every vote an independent random choice: a room with no groups in it."""
    rng = random.Random(seed)
    votes = [(f"p{i}", j + 1, rng.choice(THREE)) for i in range(participants)
             for j in range(statements)]
    return Ballots.from_votes(range(1, statements + 1), votes)
