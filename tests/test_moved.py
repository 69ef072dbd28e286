"""How minds moved between two rounds (poll/moved.py): each move, among those who voted in both."""

from __future__ import annotations

from poll.model import Choice, Scale, Statement
from poll.moved import moves, moves_of
from poll.tally import Tally, swing


def _tally(votes: dict[str, Choice]) -> Tally:
    tally = Tally(Scale.THREE)
    for participant, choice in votes.items():
        tally.apply(participant, choice)
    return tally


A, N, D = Choice.AGREE, Choice.NEUTRAL, Choice.DISAGREE


def test_each_move_is_counted_among_those_who_voted_twice() -> None:
    first = _tally({"a": D, "b": D, "c": D, "d": A, "e": N, "only-first": D})
    second = _tally({"a": A, "b": D, "c": N, "d": A, "e": A, "only-second": A})
    moved = moves(first, second)
    assert moved is not None and moved.voters == 5
    assert (moved.count(D, A), moved.count(D, D), moved.count(D, N)) == (1, 1, 1)
    assert moved.count(N, A) == 1 and moved.count(A, A) == 1 and moved.stayed() == 2
    assert sum(moved.counts.values()) == 5
    assert moved.choices == (A, N, D)
    # the swing over the same people: net shifts only
    net = swing(first, second)
    assert net is not None and net.voters == moved.voters
    numbers = moved.numbers()
    assert {"before": "disagree", "after": "agree", "count": 1} in numbers["moves"]
    assert len(numbers["moves"]) == 9


def test_no_moves_without_a_second_round_or_common_voters() -> None:
    statement = Statement(1, "d", 1, "s", rounds=2)
    assert moves_of({(1, 1): _tally({"a": A})}, statement) is None
    assert moves_of({(1, 1): _tally({"a": A}), (1, 2): _tally({"b": D})}, statement) is None
    assert moves_of({(1, 1): _tally({"a": A}), (1, 2): _tally({"a": D})},
                    statement) is not None
