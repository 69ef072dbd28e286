"""The ballots the map is computed from, packed for the trip to the worker, and the map's trip
back: what goes in comes out, whatever the room's size."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

from support.planted import planted

from poll.model import Choice, DebateSettings, Scale, Statement
from poll.opinion.ballots import Ballots, ballots_from_tallies, gather_ballots
from poll.opinion.compute import compute
from poll.tally import Tally


@dataclass
class _Debate:  # what ballots_from_tallies reads of a debate
    statements: list[Statement]
    settings: DebateSettings = field(default_factory=DebateSettings)


def _statement(statement_id: int, rounds: int = 1) -> Statement:
    return Statement(id=statement_id, debate_id="d", position=statement_id,
                     text=f"Statement {statement_id}", rounds=rounds)


async def test_ballots_hold_each_latest_vote_of_the_latest_round() -> None:
    debate = _Debate([_statement(1), _statement(2, rounds=2), _statement(3)])
    tallies = {(1, 1): Tally(), (2, 1): Tally(), (2, 2): Tally()}
    tallies[(1, 1)].apply("ann", Choice.AGREE)
    tallies[(1, 1)].apply("ann", Choice.DISAGREE)  # changed her mind: the later one counts
    tallies[(1, 1)].apply("bob", Choice.NEUTRAL)
    tallies[(2, 1)].apply("cem", Choice.AGREE)  # round 1 of statement 2: replaced by round 2
    tallies[(2, 2)].apply("bob", Choice.AGREE)
    expected = {("ann", 1, "disagree"), ("bob", 1, "neutral"), ("bob", 2, "agree")}
    for ballots in (ballots_from_tallies(debate, tallies),  # type: ignore[arg-type]
                    await gather_ballots(debate, tallies)):  # type: ignore[arg-type]
        assert set(ballots.votes) == expected
        assert ballots.statements == (1, 2, 3)
        assert ballots.voters() == 2 and ballots.answered() == [1, 2]
        assert ballots.placeable() == 1  # three statements: two answers to be placed


def test_a_debate_of_hundreds_of_statements_counts_every_answer() -> None:
    # the answers are summed in byte lanes of 255 columns at a time: past that, no overflow
    statements = range(1, 601)
    votes = [("all", s, "agree") for s in statements] + [("half", s, "disagree")
                                                          for s in statements if s % 2]
    ballots = Ballots.from_votes(statements, votes)
    assert ballots.answered() == [600, 300]
    assert ballots.placeable() == 2


def test_packed_ballots_and_maps_cross_to_the_worker_unchanged() -> None:
    ballots, _ = planted(3, 700, 30, noise=0.2)
    assert pickle.loads(pickle.dumps(ballots)) == ballots
    assert len(pickle.dumps(ballots)) < 100_000  # 2,100 people x 30 statements
    five = Ballots.from_votes(ballots.statements, ballots.votes[:50], Scale.FIVE)
    assert pickle.loads(pickle.dumps(five)).scale is Scale.FIVE
    found = compute(ballots)
    back = pickle.loads(pickle.dumps(found))
    assert back == found and back.letters() == found.letters()


def test_dots_encoded_in_steps_and_spliced_make_the_same_frames() -> None:
    """The live task encodes the map's dots a few at a time (the event loop turns between) and
    splices them into the moderator's and the projector's frames: what the pages get is the
    frame encoded at once, dot for dot."""
    from poll.live import frames

    ballots, _ = planted(3, 300, 12, noise=0.1)
    found = compute(ballots)
    debate = _Debate([_statement(s) for s in ballots.statements])
    whole = frames.opinion(debate, found)  # type: ignore[arg-type]
    bare = frames.opinion(debate, found, dots=False)  # type: ignore[arg-type]
    dots = "[" + ",".join(p for p in frames.encoded_dots(found, 7) if p) + "]"
    assert frames.with_dots(frames.encode(bare), dots) == frames.encode(whole)
    assert (frames.with_dots(frames.encode(frames.screen_opinion_of(bare)), dots)
            == frames.encode(frames.screen_opinion_of(whole)))
    assert len(whole["dots"]) == len(found.placed) == 900


def test_a_phones_line_is_written_as_the_wire_encodes_it() -> None:
    """The phones' lines are formatted directly, not through json.dumps: the text is the same
    JSON, byte for byte, in every state a line can be in."""
    from poll.live import frames

    lines = [frames.MyGroupFrame(type="my_group", shown=shown, placed=placed, group=group,
                                 others=others, same=same, of=of)
             for shown, placed, group, others, same, of in (
                 (False, False, None, 0, 0, 0), (True, False, None, 0, 0, 0),
                 (True, True, None, 0, 0, 0), (True, True, "B", 31, 8, 10),
                 (True, True, "A", 1999, 0, 30))]
    for line in lines:
        assert frames.encode_my_group(line) == frames.encode(line)
