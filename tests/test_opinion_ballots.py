"""The ballots the map is computed from, packed for the trip to the worker, and the map's trip
back: what goes in comes out, whatever the room's size."""

from __future__ import annotations

import pickle
import random
from dataclasses import dataclass, field

from support.planted import planted

from poll.model import Choice, DebateSettings, Scale, Statement
from poll.opinion.ballots import Ballots, Packer, ballots_from_tallies
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
                    await Packer().gather(debate, tallies)):  # type: ignore[arg-type]
        assert set(ballots.votes) == expected
        assert ballots.statements == (1, 2, 3)
        assert ballots.voters() == 2 and ballots.answered() == [1, 2]
        assert ballots.placeable() == 1  # three statements: two answers to be placed


async def test_a_rooms_packer_gives_every_map_the_votes_as_they_are_now() -> None:
    """Map after map, the packer packs again only what changed, and each map is made of the
    same votes as ballots packed afresh: changes of mind, new phones, a second round, a new
    statement, a reload of the room."""
    rng = random.Random(7)
    debate = _Debate([_statement(s) for s in (1, 2, 3)])
    tallies: dict[tuple[int, int], Tally] = {}
    packer = Packer()
    people = [f"p{i}" for i in range(40)]

    def vote(statement: int, times: int) -> None:
        rounds = next(s.rounds for s in debate.statements if s.id == statement)
        tally = tallies.setdefault((statement, rounds), Tally())
        for _ in range(times):
            tally.apply(rng.choice(people), rng.choice([*Choice][:3]))

    async def same_as_afresh() -> Ballots:
        kept = await packer.gather(debate, tallies)  # type: ignore[arg-type]
        fresh = ballots_from_tallies(debate, tallies)  # type: ignore[arg-type]
        assert set(kept.votes) == set(fresh.votes)
        assert kept.voters() == fresh.voters() and kept.placeable() == fresh.placeable()
        assert sorted(kept.answered()) == sorted(fresh.answered())
        return kept

    vote(1, 30)
    first = await same_as_afresh()
    vote(2, 25)
    second = await same_as_afresh()
    assert second.columns[0] is first.columns[0]  # statement 1 unchanged: not packed again
    people += ["late-1", "late-2"]  # phones that join later, and change minds on the way
    vote(2, 40)
    vote(1, 5)
    await same_as_afresh()
    debate.statements[1] = _statement(2, rounds=2)  # a second round replaces the first
    vote(2, 10)
    await same_as_afresh()
    debate.statements.append(_statement(4))
    vote(4, 12)
    await same_as_afresh()
    del debate.statements[0]  # a statement taken out: its votes leave the map
    await same_as_afresh()
    reloaded: dict[tuple[int, int], Tally] = {}  # a reload: the same votes, new tallies
    for key, t in tallies.items():
        for participant, choice in t.choices.items():
            reloaded.setdefault(key, Tally()).apply(participant, choice)
    tallies = reloaded
    vote(3, 8)
    await same_as_afresh()


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
    assert list(back.placed) == list(found.placed) and len(back.placed) == 2100
    someone = found.placed[1234]  # a phone's line looks itself up on the map that came back
    assert back.placed.find(someone.participant) == someone
    assert back.placed.find("never-voted") is None


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
