"""Debate formats in the hub, on a real SQLite file: second rounds and the swing, scales,
visibility, audience groups, proposals, the timer, notes and duplicating (issue 6)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from poll import analysis
from poll.broadcast import MemoryPubSub, Subscriber
from poll.live import Hub, Refusal, Room, frames
from poll.live.rooms import Rooms
from poll.model import Action, Audience, Choice, DebateSettings, Phase, Scale, Visibility
from poll.tally import Tally, swing
from poll.web.statuses import status_of


async def make(hub: Hub, n: int = 3, *, groups: tuple[str, ...] = (),
               settings: DebateSettings | None = None) -> Room:
    debate, _ = await hub.store.create_debate("T", "en", [f"S{i}" for i in range(1, n + 1)],
                                              groups=groups, settings=settings)
    live = await hub.get(debate.id)
    assert live is not None
    return live


async def votes(hub: Hub, live: Room, choices: dict[str, Choice], tag: str = "") -> None:
    sid = live.debate.stage.statement_id
    assert sid is not None
    for participant, choice in choices.items():
        await hub.vote(live, participant, sid, choice,
                       f"v-{live.debate.id}-{sid}-{tag}-{live.debate.stage.round}")


def listen(hub: Hub, live: Room, audience: str) -> list[dict[str, Any]]:
    """Every frame published to one audience of this debate, decoded, as it arrives."""
    heard: list[dict[str, Any]] = []

    async def keep(text: str) -> None:
        heard.append(json.loads(text))

    subscriber = Subscriber(keep)
    channel = frames.channel(live.debate.id, Audience(audience))
    hub.pubsub._channels.setdefault(channel, set()).add(subscriber)
    return heard


A, N, D = Choice.AGREE, Choice.NEUTRAL, Choice.DISAGREE


# -- second round -----------------------------------------------------------------------------

async def test_a_second_round_counts_apart_and_the_swing_counts_only_voters_of_both(hub: Hub):
    live = await make(hub)
    sid = live.debate.statements[0].id
    await hub.control(live, Action.OPEN)
    with pytest.raises(Refusal, match="Nobody has voted"):
        await hub.control(live, Action.ROUND2)
    # round 1: 2 agree, 3 disagree; "late" votes only in round 2, "gone" only in round 1
    await votes(hub, live, {"p1": A, "p2": A, "p3": D, "p4": D, "gone": D})
    await hub.control(live, Action.CLOSE)
    state = await hub.control(live, Action.ROUND2)
    assert (state.round, state.phase, state.revealed) == (2, Phase.OPEN, False)
    assert frames.welcome(live, "p1")["votes"] == {}, "in round 2 nobody has voted yet"
    await votes(hub, live, {"p1": A, "p2": A, "p3": A, "p4": D, "late": D})
    assert live.tally(sid, 1).counts == {A: 2, N: 0, D: 3}
    assert live.tally(sid, 2).counts == {A: 3, N: 0, D: 2}

    results = frames.results(live, Audience.SCREEN)
    assert results["round"] == 2 and results["before"]["total"] == 5
    change = results["swing"]
    # p1..p4 voted in both: agree 50% -> 75%, disagree 50% -> 25%
    assert change["voters"] == 4
    assert change["before"] == {"agree": 50, "neutral": 0, "disagree": 50}
    assert change["after"] == {"agree": 75, "neutral": 0, "disagree": 25}
    assert (change["leader"], change["points"], change["draw"]) == ("agree", 25, False)
    with pytest.raises(Refusal, match="second round"):
        await hub.control(live, Action.ROUND2)

    # moving on and back returns to the latest round, closed
    await hub.control(live, Action.NEXT)
    back = await hub.control(live, Action.PREV)
    assert (back.round, back.phase) == (2, Phase.CLOSED)
    assert live.debate.statements[0].rounds == 2

    # a restart rebuilds both rounds from the archive
    again = Hub(hub.store, MemoryPubSub(), hub.settings)
    reloaded = await again.get(live.debate.id)
    assert reloaded is not None
    assert reloaded.debate.stage.round == 2 and reloaded.debate.statements[0].rounds == 2
    assert reloaded.tally(sid, 1).counts == live.tally(sid, 1).counts
    assert reloaded.tally(sid, 2).counts == live.tally(sid, 2).counts


def test_a_shift_under_five_points_is_a_draw():
    first, second = Tally(), Tally()
    for i in range(100):
        first.apply(f"p{i}", A if i < 50 else D)
        second.apply(f"p{i}", A if i < 54 else D)
    result = swing(first, second)
    assert result is not None
    assert result.shift[A] == 4 and result.draw and result.leader is None
    second.apply("p54", A)
    result = swing(first, second)
    assert result is not None and result.leader is A and result.points == 5
    assert swing(first, Tally()) is None


# -- scales -----------------------------------------------------------------------------------

async def test_a_five_point_debate_takes_five_choices_and_reports_a_mean(hub: Hub):
    live = await make(hub, settings=DebateSettings(scale=Scale.FIVE))
    await hub.control(live, Action.OPEN)
    await votes(hub, live, {"p1": Choice.STRONGLY_AGREE, "p2": A, "p3": Choice.STRONGLY_DISAGREE})
    result = frames.results(live, Audience.MODERATOR)
    assert list(result["counts"]) == ["strongly_agree", "agree", "neutral", "disagree",
                                      "strongly_disagree"]
    assert result["mean"] == round((5 + 4 + 1) / 3, 1)
    assert frames.state(live, Audience.PHONE)["debate"]["choices"] == list(result["counts"])
    with pytest.raises(Refusal, match="cannot change"):
        await hub.configure(live, DebateSettings(scale=Scale.THREE))


async def test_a_choice_outside_the_scale_is_refused_and_nothing_stored(hub: Hub):
    live = await make(hub, settings=DebateSettings(scale=Scale.TWO))
    sid = live.debate.statements[0].id
    await hub.control(live, Action.OPEN)
    for choice in (N, Choice.STRONGLY_AGREE):
        with pytest.raises(Refusal) as refused:
            await hub.vote(live, "p1", sid, choice, "v1")
        assert refused.value.code == "bad_choice" and status_of(refused.value.why) == 400
    assert await hub.store.votes(live.debate.id) == []
    assert list(frames.results(live, Audience.MODERATOR)["counts"]) == ["agree", "disagree"]


# -- visibility -------------------------------------------------------------------------------

@pytest.mark.parametrize(("visibility", "open_", "closed"), [
    # (screen, phone) while open, (screen, phone) once closed; always shown once revealed
    (Visibility.REVEAL, (False, False), (False, False)),
    (Visibility.CLOSED, (False, False), (True, True)),
    (Visibility.VOTED, (True, True), (True, True)),
    (Visibility.LIVE, (True, True), (True, True)),
])
async def test_visibility_decides_who_sees_numbers_when(hub: Hub, visibility, open_, closed):
    live = await make(hub, settings=DebateSettings(visibility=visibility))
    await hub.control(live, Action.OPEN)
    await votes(hub, live, {"p1": A})

    def shown() -> tuple[bool, bool]:
        return (frames.state(live, Audience.SCREEN)["results"] is not None,
                frames.state(live, Audience.PHONE)["results"] is not None)

    assert shown() == open_
    assert frames.state(live, Audience.MODERATOR)["results"]["counts"]["agree"] == 1
    assert (frames.tally(live, Audience.SCREEN)["counts"] is not None) == open_[0]
    await hub.control(live, Action.CLOSE)
    assert shown() == closed
    await hub.control(live, Action.REVEAL)
    assert shown() == (True, True)


async def test_phones_get_live_tallies_only_when_they_may_see_them(hub: Hub):
    hidden = await make(hub)
    shown = await make(hub, settings=DebateSettings(visibility=Visibility.LIVE))
    heard = {live.debate.id: listen(hub, live, "phone") for live in (hidden, shown)}
    for live in (hidden, shown):
        await hub.control(live, Action.OPEN)
        await votes(hub, live, {"p1": A, "p2": D})
    wanted = {"agree": 1, "neutral": 0, "disagree": 1}

    def tallies(live: Room) -> list[dict[str, Any]]:
        return [f for f in heard[live.debate.id] if f["type"] == "tally"]

    # phones get at most one tally a second, so the last one may come a second later
    for _ in range(300):
        if tallies(shown) and tallies(shown)[-1]["counts"] == wanted:
            break
        await asyncio.sleep(0.05)
    assert tallies(shown)[-1]["counts"] == wanted
    assert "connected" not in tallies(shown)[-1]
    assert tallies(hidden) == []


# -- audience groups --------------------------------------------------------------------------

async def test_groups_split_results_for_moderators_and_the_projector_only_when_shown(hub: Hub):
    live = await make(hub, groups=("Werkveld", "Hogeschool"))
    work, school = live.debate.groups
    for p in ("w1", "w2", "w3"):
        await hub.join_group(live, p, work.id)
    for p in ("h1", "h2"):
        await hub.join_group(live, p, school.id)
    await hub.join_group(live, "h2", work.id)  # changed their mind: the latest pick counts
    with pytest.raises(Refusal) as unknown:
        await hub.join_group(live, "x", 999)
    assert status_of(unknown.value.why) == 404
    await hub.control(live, Action.OPEN)
    await votes(hub, live, {"w1": A, "w2": A, "w3": A, "h1": D, "h2": D, "loner": N})

    split = frames.results(live, Audience.MODERATOR)["groups"]
    assert [(g["name"], g["total"], g["agree"]) for g in split] == [
        ("Werkveld", 4, 75), ("Hogeschool", 1, 0), (None, 1, 0)]
    await hub.control(live, Action.REVEAL)
    assert "groups" not in frames.results(live, Audience.SCREEN)
    await hub.control(live, Action.SHOW_GROUPS)
    assert [g["name"] for g in frames.results(live, Audience.SCREEN)["groups"]][:2] == [
        "Werkveld", "Hogeschool"]
    assert "groups" not in (frames.state(live, Audience.PHONE)["results"] or {})
    assert frames.welcome(live, "h2")["group"] == work.id

    gap = analysis.widest_gap(live.debate, live.tallies, live.members)
    assert gap is not None and gap.points == 75
    assert frames.state(live, Audience.MODERATOR)["groups_differ"] == {
        "statement": live.debate.statements[0].id, "points": 75}
    assert frames.tally(live, Audience.MODERATOR)["groups_differ"]["points"] == 75
    assert "groups_differ" not in frames.tally(live, Audience.SCREEN)

    # renaming keeps members; removing a group leaves its members without one
    await hub.set_groups(live, ["Industry"])
    assert [g.name for g in live.debate.groups] == ["Industry"]
    assert live.debate.groups[0].id == work.id and live.members.get("h1") is None
    reloaded = await hub.store.members(live.debate.id)
    assert reloaded == {"w1": work.id, "w2": work.id, "w3": work.id, "h2": work.id}


async def test_skipping_the_group_question_is_remembered_across_a_restart(hub: Hub):
    """ "Skip" is an answer: a phone that chose no group is not asked again, also after the
    debate is loaded anew from the store (a restart); picking a group later still works."""
    live = await make(hub, groups=("Werkveld", "Hogeschool"))
    work, school = live.debate.groups
    await hub.join_group(live, "skipper", None)
    await hub.join_group(live, "member", work.id)
    await hub.join_group(live, "leaver", school.id)
    await hub.join_group(live, "leaver", None)  # left the group: no group, also an answer
    assert live.skipped == {"skipper", "leaver"}
    assert live.members == {"member": work.id}

    # what a restarted server loads
    again = await Rooms(hub.store, on_load=lambda room: None).get(live.id)
    assert again is not None
    assert again.skipped == {"skipper", "leaver"} and again.members == {"member": work.id}

    # a group picked after skipping: a member, no longer "no group"
    await hub.join_group(live, "skipper", school.id)
    assert live.skipped == {"leaver"} and live.members["skipper"] == school.id
    assert await hub.store.skipped(live.id) == {"leaver"}

    # a removed group's members are asked again: their answer named a group that is gone
    await hub.set_groups(live, ["Werkveld"])
    assert "skipper" not in live.members and "skipper" not in live.skipped
    again = await Rooms(hub.store, on_load=lambda room: None).get(live.id)
    assert again is not None
    assert again.skipped == {"leaver"} and again.members == {"member": work.id}


async def test_showing_groups_needs_groups(hub: Hub):
    live = await make(hub)
    with pytest.raises(Refusal, match="no audience groups"):
        await hub.control(live, Action.SHOW_GROUPS)


# -- proposals --------------------------------------------------------------------------------

async def test_proposals_wait_for_the_moderator_and_flooding_is_refused(hub: Hub):
    live = await make(hub, n=1)
    heard = listen(hub, live, "moderator")
    with pytest.raises(Refusal) as closed:
        await hub.proposals.propose(live, "p1", "More labs")
    assert closed.value.code == "proposals_closed"
    await hub.configure(live, DebateSettings(proposals=True))

    hostile = "<img src=x onerror=alert(1)> =HYPERLINK(\"x\")"
    first = await hub.proposals.propose(live, "p1", hostile)
    await hub.proposals.propose(live, "p1", "Two")
    await hub.proposals.propose(live, "p1", "Three")
    with pytest.raises(Refusal) as flood:
        await hub.proposals.propose(live, "p1", "Four")
    assert flood.value.code == "too_many_proposals"
    with pytest.raises(Refusal) as same:
        await hub.proposals.propose(live, "p2", "two")
    assert same.value.code == "duplicate_proposal"
    await asyncio.sleep(0.05)
    queue = [f for f in heard if f["type"] == "proposals"][-1]["pending"]
    assert [p["text"] for p in queue] == [hostile, "Two", "Three"]

    statement = await hub.proposals.decide(live, first.id, approve=True, text="Labs for everyone")
    assert statement is not None and statement.proposed and statement.position == 2
    assert live.debate.statements[-1].text == "Labs for everyone"
    assert await hub.proposals.decide(live, queue[1]["id"], approve=False) is None
    with pytest.raises(Refusal) as twice:
        await hub.proposals.decide(live, first.id, approve=True)
    assert status_of(twice.value.why) == 404
    assert [p.text for p in live.pending] == ["Three"]
    stored = await hub.store.proposals(live.debate.id)
    assert [p.status.value for p in stored] == ["approved", "rejected", "pending"]
    assert stored[0].text == hostile, "the original proposal is kept as typed"
    # the phone may propose again now that fewer of its proposals wait
    await hub.proposals.propose(live, "p1", "Four")


# -- the timer --------------------------------------------------------------------------------

async def test_the_timer_closes_voting_at_zero_and_reveals_when_asked(hub: Hub):
    live = await make(hub)
    with pytest.raises(Refusal):
        await hub.control(live, Action.TIMER, seconds=2)
    state = await hub.control(live, Action.TIMER, seconds=5, reveal=True)
    assert state.phase is Phase.OPEN and state.timer_ends is not None
    left = frames.state(live, Audience.PHONE)["timer"]["seconds_left"]
    assert 0 < left <= 5
    await votes(hub, live, {"p1": A})
    for _ in range(300):  # no deadline asserted: only that it happens
        if live.debate.stage.phase is Phase.CLOSED and live.debate.stage.revealed:
            break
        await asyncio.sleep(0.1)
    assert (live.debate.stage.phase, live.debate.stage.revealed) == (Phase.CLOSED, True)
    assert frames.state(live, Audience.PHONE)["timer"] is None


async def test_stopping_or_moving_on_cancels_the_timer(hub: Hub):
    live = await make(hub)
    await hub.control(live, Action.TIMER, seconds=5)
    state = await hub.control(live, Action.TIMER_STOP)
    assert state.timer_ends is None and state.phase is Phase.OPEN
    await hub.control(live, Action.TIMER, seconds=5)
    state = await hub.control(live, Action.NEXT)
    assert state.timer_ends is None
    await asyncio.sleep(5.5)
    assert live.debate.stage.phase is Phase.WAITING, "the old countdown must not close the next one"


# -- notes and duplicating --------------------------------------------------------------------

async def test_a_duplicate_keeps_statements_notes_groups_and_settings_but_no_votes(hub: Hub):
    settings = DebateSettings(Scale.FIVE, Visibility.LIVE, True)
    live = await make(hub, groups=("A", "B"), settings=settings)
    first = live.debate.statements[0]
    await hub.edit_statement(live, first.id, first.text, "Verdict:\nnot per se")
    await hub.control(live, Action.OPEN)
    await votes(hub, live, {"p1": Choice.STRONGLY_AGREE})
    copy, key = await hub.store.duplicate_debate(live.debate.id)
    assert copy.id != live.debate.id and copy.join_code != live.debate.join_code and key
    assert [s.text for s in copy.statements] == [s.text for s in live.debate.statements]
    assert copy.statements[0].notes == "Verdict:\nnot per se"
    assert [g.name for g in copy.groups] == ["A", "B"]
    assert copy.settings == settings and copy.copied_from == live.debate.id
    assert await hub.store.votes(copy.id) == []
    assert await hub.store.check_key(copy.id, key)


async def test_the_most_phones_connected_at_once_is_kept_for_the_report(hub: Hub):
    live = await make(hub)
    for p in ("a", "b", "c"):
        hub.phone_joined(live, p)
    hub.phone_joined(live, "a")  # a second tab of the same phone is one participant
    await hub.ticker.flush()
    hub.phone_left(live, "c")
    await hub.ticker.flush()
    for _ in range(100):
        stored = await hub.store.debate(live.debate.id)
        if stored is not None and stored.peak_connected == 3:
            break
        await asyncio.sleep(0.05)
    assert stored is not None and stored.peak_connected == 3


def test_one_or_two_people_cannot_make_the_groups_differ_most_headline():
    from poll.model import Group, Statement

    groups = [Group(1, "Big A"), Group(2, "Big B"), Group(3, "Tiny")]
    tally, members = Tally(), {}
    for i in range(6):
        tally.apply(f"a{i}", A if i < 4 else D)  # 67% agree
        members[f"a{i}"] = 1
        tally.apply(f"b{i}", A if i < 2 else D)  # 33% agree
        members[f"b{i}"] = 2
    tally.apply("t0", A)  # one person: 100% agree
    members["t0"] = 3
    statement = Statement(1, "d", 1, "S")
    found = analysis.gap(statement, analysis.split(tally, groups, members))
    assert found is not None and found.points == 34
    assert {found.high.group.name, found.low.group.name} == {"Big A", "Big B"}
    # with only small groups, they still count
    small = analysis.gap(statement, analysis.split(tally.subset(["a0", "t0", "b5"]), groups,
                                                   members))
    assert small is not None and small.points == 100
