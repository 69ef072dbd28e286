"""Our opinion groups agree with red-dwarf's (a Python port of Pol.is's pipeline) on the same
planted matrices. red-dwarf is a test-only dependency; it is imported inside the test because
its pydantic models warn at import time (the suite turns warnings into errors)."""

from __future__ import annotations

import warnings

import pytest
from sklearn.metrics import adjusted_rand_score
from support.planted import planted

from poll.opinion.compute import compute

_POLIS = {"agree": 1, "neutral": 0, "disagree": -1}  # Pol.is export encoding: agree = +1


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(("groups", "noise"), [(2, 0.1), (3, 0.1), (4, 0.1), (3, 0.2)])
def test_our_groups_match_red_dwarfs(groups: int, noise: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from reddwarf.implementations.polis import run_pipeline
    ballots, _ = planted(groups, 100, 20, noise=noise)
    ids: dict[str, int] = {}
    votes = [{"participant_id": ids.setdefault(p, len(ids)), "statement_id": s,
              "vote": _POLIS[c], "modified": 0} for p, s, c in ballots.votes]
    theirs = run_pipeline(votes=votes, random_state=0).participants_df["cluster_id"]
    ours = {p.participant: p.group for p in compute(ballots).placed}
    people = sorted(ids)
    assert adjusted_rand_score([int(theirs[ids[p]]) for p in people],
                               [ours[p] for p in people]) >= 0.9
