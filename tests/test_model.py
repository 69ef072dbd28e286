"""Tallies and the debate's navigation, as the projector and exports show them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from poll.model import Choice, Debate, Scale, Stage, Statement
from poll.tally import Tally


def test_a_changed_vote_replaces_the_earlier_choice() -> None:
    tally = Tally()
    tally.apply("p1", Choice.AGREE)
    tally.apply("p2", Choice.AGREE)
    tally.apply("p1", Choice.DISAGREE)
    assert tally.total == 2
    assert tally.counts == {Choice.AGREE: 1, Choice.NEUTRAL: 0, Choice.DISAGREE: 1}


def test_percentages_of_thirds_add_up_to_100() -> None:
    tally = Tally()
    for participant, choice in (("a", Choice.AGREE), ("b", Choice.NEUTRAL),
                                ("c", Choice.DISAGREE)):
        tally.apply(participant, choice)
    assert tally.percentages() == {Choice.AGREE: 34, Choice.NEUTRAL: 33, Choice.DISAGREE: 33}


def test_no_votes_is_zero_percent_everywhere() -> None:
    assert set(Tally().percentages().values()) == {0}
    assert Tally().numbers()["total"] == 0


@given(st.lists(st.tuples(st.integers(0, 30), st.sampled_from(list(Choice))), min_size=1))
def test_percentages_always_add_up_to_100_and_stay_close(votes: list[tuple[int, Choice]]) -> None:
    tally = Tally(Scale.FIVE)
    for participant, choice in votes:
        tally.apply(str(participant), choice)
    percent = tally.percentages()
    assert sum(percent.values()) == 100
    for choice in Choice:
        assert abs(percent[choice] - tally.counts[choice] * 100 / tally.total) < 1


def test_neighbours_stop_at_either_end() -> None:
    statements = [Statement(i, "d", i, f"s{i}") for i in (1, 2, 3)]
    debate = Debate("d", "t", "en", "ABCDEF", "now", statements, Stage(1))
    assert debate.neighbour(-1) is None
    assert debate.neighbour(1) == statements[1]
    debate.stage = Stage(3)
    assert debate.neighbour(1) is None
    assert debate.current == statements[2]
