"""The opinion map's arithmetic (poll/opinion, docs/opinion.md): planted groups are found,
letters stay put, representative / consensus / divisive statements are the ones planted."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score, silhouette_score
from support.planted import planted, prototypes, unstructured

from poll.model import Choice, Scale
from poll.opinion.ballots import Ballots, min_votes
from poll.opinion.compute import compute
from poll.opinion.matrix import placeable, vote_matrix, vote_value
from poll.opinion.result import OpinionMap, Placed
from poll.opinion.silhouette import Silhouettes


def _letters_in_planted_order(result: OpinionMap, groups: int, per: int) -> list[str | None]:
    letter = {p.participant: p.group for p in result.placed}
    return [letter[f"p{g}-{i}"] for g in range(groups) for i in range(per)]


@pytest.mark.parametrize("groups", [2, 3, 4])
def test_planted_groups_are_found(groups: int) -> None:
    ballots, truth = planted(groups, 100, 20, noise=0.1)
    result = compute(ballots)
    assert len(result.groups) == groups
    found = _letters_in_planted_order(result, groups, 100)
    assert adjusted_rand_score(truth, found) >= 0.9
    assert sorted(g.size for g in result.groups) == [100] * groups or \
        sum(g.size for g in result.groups) == groups * 100


@pytest.mark.parametrize("participants", [30, 100, 300, 1000])
def test_a_room_of_random_votes_has_no_groups(participants: int) -> None:
    result = compute(unstructured(participants, 20))
    assert result.groups == ()
    assert result.why_no_groups == "no_structure"
    assert len(result.placed) == participants  # still on the map, in no group
    assert {p.group for p in result.placed} == {None}


def test_too_few_participants_make_no_groups() -> None:
    ballots, _ = planted(2, 3, 10, noise=0.0)
    result = compute(ballots)
    assert result.why_no_groups == "too_few" and result.groups == ()


def test_letters_stay_with_their_groups_when_a_few_votes_come_in() -> None:
    ballots, _ = planted(3, 100, 20, noise=0.1)
    first = compute(ballots)
    more, _ = planted(3, 110, 20, noise=0.1, seed=1)  # the same 300 and 30 newcomers
    second = compute(more, first)
    before, after = first.letters(), second.letters()
    kept = sum(after[p] == letter for p, letter in before.items())
    assert kept >= 0.95 * len(before)
    # and without the previous map the letters may be anything: sizes decide
    assert {g.letter for g in second.groups} == {g.letter for g in first.groups}


def test_a_group_that_dissolves_loses_its_letter() -> None:
    ballots, _ = planted(3, 100, 20, noise=0.05)
    first = compute(ballots)
    # the same people, now voting as two groups: planted groups 1 and 2 merge
    rows = prototypes(3, 20)
    merged, _ = planted(3, 100, 20, noise=0.05, rows=[rows[0], rows[1], rows[1]])
    second = compute(merged, first)
    assert len(second.groups) == 2
    letter_of_0 = first.letters()["p0-0"]
    assert second.letters()["p0-0"] == letter_of_0  # group 0 kept all its members


# statements 1-5: group 0 agrees, the others disagree; 6-10: group 1; 11-15: group 2;
# 16-20: everyone agrees.
_PLANTED_BELIEFS = [[1 if j // 5 == g or j >= 15 else -1 for j in range(20)] for g in range(3)]


def test_representative_statements_are_the_ones_a_group_was_built_to_agree_on() -> None:
    ballots, _ = planted(3, 100, 20, noise=0.1, rows=_PLANTED_BELIEFS)
    result = compute(ballots)
    letters = result.letters()
    for g in range(3):
        group = result.group(letters[f"p{g}-0"])
        assert group is not None and group.representative
        top = group.representative[:5]
        assert {b.statement_id for b in top} == {g * 5 + k + 1 for k in range(5)}
        assert all(b.direction == "agree" and b.ratio > 2 and b.z > 1.2816 for b in top)


def test_consensus_and_divisive_statements() -> None:
    ballots, _ = planted(3, 100, 20, noise=0.1, rows=_PLANTED_BELIEFS)
    result = compute(ballots)
    assert {s.statement_id for s in result.consensus} == set(range(16, 21))
    assert all(s.direction == "agree" and s.probability > 0.5 for s in result.consensus)
    divided = {d.statement_id: d for d in result.divisive}
    assert set(divided) == set(range(1, 16))
    one = divided[1]
    assert len(one.agreeing) == 1 and len(one.disagreeing) == 2 and one.spread > 0.7


def _placed(result: OpinionMap, participant: str) -> Placed:
    return next(p for p in result.placed if p.participant == participant)


def test_a_participant_agrees_with_their_group() -> None:
    ballots, _ = planted(3, 100, 20, noise=0.0, rows=_PLANTED_BELIEFS)
    first = _placed(compute(ballots), "p0-0")
    assert (first.same, first.of) == (20, 20)  # "you agree with them on 20 of 20"
    # against its group on statement 1 (strongly counts as its side), and no answer to 2
    votes = [(p, s, "strongly_disagree" if (p, s) == ("p0-0", 1) else c)
             for p, s, c in ballots.votes if (p, s) != ("p0-0", 2)]
    again = compute(Ballots.from_votes(ballots.statements, votes))
    moved = _placed(again, "p0-0")
    assert moved.group == first.group and (moved.same, moved.of) == (18, 19)
    fellow = _placed(again, "p0-1")
    assert (fellow.same, fellow.of) == (20, 20)
    # and it crosses to the server with the map
    assert _placed(pickle.loads(pickle.dumps(again)), "p0-0") == moved


def test_vote_values_and_the_five_point_mapping() -> None:
    assert [vote_value(c, Scale.THREE) for c in Scale.THREE.choices] == [1, 0, -1]
    assert [vote_value(c, Scale.FIVE) for c in Scale.FIVE.choices] == [1, 0.5, 0, -0.5, -1]
    ballots = Ballots.from_votes((1, 2), (("a", 1, Choice.STRONGLY_AGREE.value),
                                          ("a", 2, "disagree"), ("b", 2, "neutral"),
                                          ("c", 9, "agree")), Scale.FIVE)
    matrix = vote_matrix(ballots)
    assert matrix.participants == ("a", "b")  # a vote on an unknown statement is left out
    assert matrix.values[0].tolist() == [1.0, -0.5]
    assert matrix.voted.tolist() == [[True, True], [False, True]]
    assert placeable(matrix).participants == ("a",)


def test_minimum_votes_to_be_placed() -> None:
    assert [min_votes(n) for n in (1, 2, 3, 4, 5, 10, 13, 14, 30)] == [1, 2, 2, 2, 3, 5, 7, 7, 7]


def test_five_point_groups_are_found() -> None:
    ballots, truth = planted(3, 100, 20, noise=0.1)
    five = {"agree": "strongly_agree", "disagree": "disagree"}
    shifted = Ballots.from_votes(ballots.statements,
                                 ((p, s, five.get(c, c)) for p, s, c in ballots.votes),
                                 Scale.FIVE)
    result = compute(shifted)
    assert adjusted_rand_score(truth, _letters_in_planted_order(result, 3, 100)) >= 0.9


def test_the_map_is_json_ready() -> None:
    import json

    ballots, _ = planted(2, 50, 10, noise=0.1)
    numbers = compute(ballots).numbers()
    again = json.loads(json.dumps(numbers))
    assert again["votes"] == 1000 and again["voters"] == 100 and len(again["placed"]) == 100
    assert {g["letter"] for g in again["groups"]} == {"A", "B"}


@pytest.mark.parametrize("case", ["clusters", "a point alone", "identical points",
                                  "gaps in labels"])
def test_the_silhouette_is_scikit_learns(case: str) -> None:
    # the map picks its number of groups by this figure: it must be scikit-learn's, exactly
    rng = np.random.default_rng(7)
    points = np.concatenate([rng.normal(c, 0.4, (60, 2)) for c in ((0, 0), (3, 0), (0, 3))])
    labels = np.repeat(np.arange(3), 60)
    if case == "a point alone":
        labels[5] = 3
    elif case == "identical points":
        points[:30] = points[0]
    elif case == "gaps in labels":
        labels = labels * 7 + 2
    silhouettes = Silhouettes(points)
    for k_labels in (labels, labels[::-1].copy(), rng.integers(0, 4, len(labels))):
        assert silhouettes.score(k_labels) == pytest.approx(
            float(silhouette_score(points, k_labels)), abs=1e-9)
