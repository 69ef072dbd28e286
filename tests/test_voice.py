"""The room's voice in the hub, on a real SQLite file: reasons with their stance and +1s, the
moderator's hand on them, the spotlight, the floor taking sides in turn, +1s on proposals, and
all of it surviving a reload from the store."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from poll.broadcast import Subscriber
from poll.live import Hub, Refusal, Room, frames
from poll.live import ticker as ticker_module
from poll.model import Action, Audience, Choice, DebateSettings, ReasonsShown, Visibility

A, N, D = Choice.AGREE, Choice.NEUTRAL, Choice.DISAGREE


async def make(hub: Hub, **settings: Any) -> Room:
    debate, _ = await hub.store.create_debate("Voices", "en", ["S1", "S2"],
                                              settings=DebateSettings(**settings))
    room = await hub.get(debate.id)
    assert room is not None
    await hub.control(room, Action.OPEN)
    return room


async def vote(hub: Hub, room: Room, who: str, choice: Choice) -> None:
    sid = room.debate.stage.statement_id
    assert sid is not None
    # vote ids are unique per participant across debates, as a phone makes them
    await hub.vote(room, who, sid, choice, f"v-{room.id}-{who}-{choice.value}")


def listen(hub: Hub, room: Room, audience: Audience) -> list[dict[str, Any]]:
    heard: list[dict[str, Any]] = []

    async def keep(text: str) -> None:
        heard.append(json.loads(text))

    hub.pubsub._channels.setdefault(frames.channel(room.id, audience), set()).add(  # type: ignore[attr-defined]
        Subscriber(keep))
    return heard


async def test_a_reason_goes_with_a_vote_and_shows_the_vote_it_goes_with(hub: Hub) -> None:
    room = await make(hub, visibility=Visibility.LIVE)
    sid = room.debate.statements[0].id
    with pytest.raises(Refusal) as no_vote:
        await hub.voice.give_reason(room, "p1", sid, "Because.")
    assert no_vote.value.code == "no_vote"
    await vote(hub, room, "p1", A)
    reason = await hub.voice.give_reason(room, "p1", sid, "  Hybrid   is the future.  ")
    assert reason.text == "Hybrid is the future."
    top = frames.reasons(room, Audience.PHONE)["top"]
    assert [r["text"] for r in top["agree"]] == ["Hybrid is the future."]
    # the author changes their vote: the reason moves with it
    await vote(hub, room, "p1", D)
    top = frames.reasons(room, Audience.PHONE)["top"]
    assert "agree" not in top and top["disagree"][0]["id"] == reason.id
    # editing keeps one reason per participant; too long is refused
    edited = await hub.voice.give_reason(room, "p1", sid, "Not for everyone.")
    assert edited.id == reason.id
    with pytest.raises(Refusal):
        await hub.voice.give_reason(room, "p1", sid, "x" * 281)
    await hub.control(room, Action.CLOSE)
    with pytest.raises(Refusal):
        await hub.voice.give_reason(room, "p1", sid, "Too late now.")
    # its author may take it back even then
    await hub.voice.remove_reason(room, "p1", reason.id)
    assert frames.reasons(room, Audience.MODERATOR)["total"] == 0


async def test_the_room_sees_reasons_only_when_it_may_see_results(hub: Hub) -> None:
    room = await make(hub)  # visibility "reveal", reasons with the results
    sid = room.debate.statements[0].id
    await vote(hub, room, "p1", A)
    await hub.voice.give_reason(room, "p1", sid, "Because.")
    assert frames.reasons(room, Audience.PHONE)["shown"] is False
    assert frames.reasons(room, Audience.PHONE)["top"] == {}
    assert frames.reasons(room, Audience.MODERATOR)["all"][0]["text"] == "Because."
    await hub.control(room, Action.REVEAL)
    assert frames.reasons(room, Audience.PHONE)["top"]["agree"][0]["text"] == "Because."
    never = await make(hub, visibility=Visibility.LIVE, reasons=ReasonsShown.NEVER)
    nid = never.debate.statements[0].id
    await vote(hub, never, "p1", A)
    await hub.voice.give_reason(never, "p1", nid, "Only for the moderator.")
    assert frames.reasons(never, Audience.SCREEN)["top"] == {}


async def test_the_room_ranks_reasons_by_plus_ones_one_each(hub: Hub) -> None:
    room = await make(hub, visibility=Visibility.LIVE)
    sid = room.debate.statements[0].id
    for who, choice in (("p1", A), ("p2", A), ("p3", D), ("p4", N)):
        await vote(hub, room, who, choice)
    first = await hub.voice.give_reason(room, "p1", sid, "First.")
    second = await hub.voice.give_reason(room, "p2", sid, "Second.")
    with pytest.raises(Refusal):
        await hub.voice.plus_one(room, "p1", first.id, True)  # not one's own
    for who in ("p3", "p4", "p3"):  # a repeat counts once
        await hub.voice.plus_one(room, who, second.id, True)
    await hub.voice.plus_one(room, "p4", first.id, True)
    await hub.voice.plus_one(room, "p4", first.id, False)  # undone
    top = frames.reasons(room, Audience.PHONE)["top"]["agree"]
    assert [(r["text"], r["plus"]) for r in top] == [("Second.", 2), ("First.", 0)]
    assert frames.welcome(room, "p3")["plussed"] == [second.id]


async def test_hidden_and_held_reasons_leave_the_room_and_stay_in_the_archive(hub: Hub) -> None:
    room = await make(hub, visibility=Visibility.LIVE, held_words=("idiot",))
    sid = room.debate.statements[0].id
    await vote(hub, room, "p1", A)
    await vote(hub, room, "p2", A)
    rude = await hub.voice.give_reason(room, "p1", sid, "Only an IDIOT disagrees.")
    assert rude.held
    fine = await hub.voice.give_reason(room, "p2", sid, "Practice matters.")
    assert [r["id"] for r in frames.reasons(room, Audience.PHONE)["top"]["agree"]] == [fine.id]
    await hub.voice.moderate(room, rude.id, "approve")
    assert len(frames.reasons(room, Audience.PHONE)["top"]["agree"]) == 2
    await hub.voice.spotlight(room, fine.id)
    assert frames.state(room, Audience.SCREEN)["spotlight"]["text"] == "Practice matters."
    await hub.voice.moderate(room, fine.id, "hide")
    assert [r["id"] for r in frames.reasons(room, Audience.PHONE)["top"]["agree"]] == [rude.id]
    assert frames.state(room, Audience.SCREEN)["spotlight"] is None, "a hidden reason leaves"
    stored = {r.id: r for r in await hub.store.reasons(room.id)}
    assert stored[fine.id].hidden and not stored[rude.id].held


async def test_the_spotlight_shows_one_reason_and_goes_off_with_the_statement(hub: Hub) -> None:
    room = await make(hub, visibility=Visibility.LIVE)
    sid = room.debate.statements[0].id
    await vote(hub, room, "p1", D)
    reason = await hub.voice.give_reason(room, "p1", sid, "Teachers need time.")
    screen = listen(hub, room, Audience.SCREEN)
    await hub.voice.spotlight(room, reason.id)
    for _ in range(50):  # the outbox sends in its own task
        if any(f["type"] == "state" for f in screen):
            break
        await asyncio.sleep(0.01)
    shown = [f for f in screen if f["type"] == "state"][-1]["spotlight"]
    assert shown == {"id": reason.id, "text": "Teachers need time.", "stance": "disagree"}
    await hub.control(room, Action.NEXT)
    assert frames.state(room, Audience.SCREEN)["spotlight"] is None
    with pytest.raises(Refusal):
        await hub.voice.spotlight(room, reason.id)  # not on the statement on stage


async def test_the_floor_gives_each_side_its_turn(hub: Hub) -> None:
    room = await make(hub, visibility=Visibility.LIVE)
    for who, choice in (("a1", A), ("a2", A), ("d1", D)):
        await vote(hub, room, who, choice)
    asked = {who: await hub.voice.ask_floor(room, who, name)
             for who, name in (("a1", "Ann"), ("a2", "Bob"), ("d1", "Dee"))}
    with pytest.raises(Refusal):
        await hub.voice.ask_floor(room, "a1", "Ann")  # on the list already
    assert frames.floor(room, Audience.PHONE)["waiting"] == {"agree": 2, "disagree": 1}
    first = await hub.voice.call_next(room, "agree")
    assert first.name == "Ann"
    assert frames.floor(room, Audience.PHONE)["called"] == asked["a1"].token
    second = await hub.voice.call_next(room, "disagree")
    assert second.name == "Dee"
    assert frames.floor(room, Audience.SCREEN)["speaking"] == {"name": "Dee",
                                                                "stance": "disagree"}
    with pytest.raises(Refusal):
        await hub.voice.call_next(room, "disagree")  # nobody of that side left
    await hub.voice.withdraw(room, "a2")
    assert frames.floor(room, Audience.MODERATOR)["queue"] == []


async def test_the_room_ranks_waiting_proposals_and_the_moderator_decides(hub: Hub) -> None:
    room = await make(hub, proposals=True, proposals_public=True)
    early = await hub.proposals.propose(room, "p1", "Free lunch")
    later = await hub.proposals.propose(room, "p2", "Paid internships")
    with pytest.raises(Refusal):
        await hub.voice.plus_proposal(room, "p2", later.id, True)  # its own
    await hub.voice.plus_proposal(room, "p3", later.id, True)
    ranked = frames.proposals(room)["pending"]
    assert [(p["id"], p["plus"]) for p in ranked] == [(later.id, 1), (early.id, 0)]
    assert "group" not in frames.proposals(room, Audience.PHONE)["pending"][0]


async def test_the_voice_is_rebuilt_from_the_store(hub: Hub) -> None:
    room = await make(hub, visibility=Visibility.LIVE)
    sid = room.debate.statements[0].id
    await vote(hub, room, "p1", A)
    await vote(hub, room, "p2", D)
    reason = await hub.voice.give_reason(room, "p1", sid, "Because.")
    await hub.voice.plus_one(room, "p2", reason.id, True)
    await hub.voice.ask_floor(room, "p2", "Pat")
    again = await Hub(hub.store, hub.pubsub, hub.settings).get(room.id)
    assert again is not None
    assert frames.reasons(again, Audience.PHONE) == frames.reasons(room, Audience.PHONE)
    assert frames.floor(again, Audience.MODERATOR) == frames.floor(room, Audience.MODERATOR)
    await asyncio.sleep(0)


async def test_phones_get_a_tally_only_when_its_numbers_change(
        hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    # Phones' tallies carry no count of who is connected: thousands joining must not send the
    # same frame to every phone once a second (docs/performance.md, "The room's voice").
    monkeypatch.setattr("poll.live.ticker.PHONE_INTERVAL", 0.0)
    room = await make(hub, visibility=Visibility.LIVE)
    heard = listen(hub, room, Audience.PHONE)

    async def tallies_after_a_tick() -> list[int]:
        await hub.ticker.flush()
        for _ in range(5):  # let the outbox's sender run
            await asyncio.sleep(0)
        return [f["total"] for f in heard if f["type"] == "tally"]

    await tallies_after_a_tick()  # the opening's empty tally (the hub's own ticker may be first)
    heard.clear()
    await vote(hub, room, "p1", A)
    assert await tallies_after_a_tick() == [1]
    for i in range(20):
        hub.phone_joined(room, f"p_join{i}")
        assert await tallies_after_a_tick() == [1]
    await vote(hub, room, "p2", D)
    assert await tallies_after_a_tick() == [1, 2]


async def test_a_switch_sends_phones_the_state_and_nothing_that_changes_nothing(
        hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a switch to a statement nobody has given a reason on or asked the floor for, the
    phones get the state frame alone (they empty their lists on a new statement themselves);
    the first reason on it, the floor and a return to a statement with reasons still reach
    them."""
    monkeypatch.setitem(ticker_module.VOICE_INTERVAL, Audience.PHONE, 0.0)
    room = await make(hub, visibility=Visibility.LIVE, reasons=ReasonsShown.ALWAYS)
    first = room.debate.stage.statement_id
    await vote(hub, room, "p1", A)
    await hub.voice.give_reason(room, "p1", first, "Because.")
    heard = listen(hub, room, Audience.PHONE)

    async def after_a_tick() -> list[str]:
        await hub.ticker.flush()
        for _ in range(5):  # let the outbox's sender run
            await asyncio.sleep(0)
        kinds = [f["type"] for f in heard if f["type"] != "tally"]
        heard.clear()
        return kinds

    assert await after_a_tick() == ["reasons"]  # the reason on the first statement
    await hub.control(room, Action.NEXT)
    assert await after_a_tick() == ["state"]
    await hub.control(room, Action.OPEN)
    assert await after_a_tick() == ["state"]
    await vote(hub, room, "p2", D)
    await hub.voice.give_reason(room, "p2", room.debate.stage.statement_id, "Not so.")
    assert await after_a_tick() == ["reasons"]
    await hub.voice.ask_floor(room, "p2", "")
    await hub.voice.call_next(room, "any")
    assert "floor" in await after_a_tick()
    await hub.control(room, Action.CLOSE)  # someone has the floor: phones are told again
    assert await after_a_tick() == ["state", "floor"]
    await hub.control(room, Action.PREV)  # back to the statement with a reason
    got = await after_a_tick()
    assert got == ["state", "reasons"], got


async def test_an_idle_ticker_sleeps_and_a_vote_wakes_it(hub: Hub) -> None:
    """The ticker waits for news instead of waking every interval (an idle server wakes for
    nothing), and a vote still reaches the projector as a tally at the next tick."""
    room = await make(hub, visibility=Visibility.LIVE)
    screen = listen(hub, room, Audience.SCREEN)
    for _ in range(3):  # whatever making the room owed goes out, then nothing is due
        await asyncio.sleep(hub.ticker.interval * 2)
    screen.clear()
    assert not hub.ticker._due.is_set()
    await asyncio.sleep(hub.ticker.interval * 3)
    assert screen == []  # asleep: no tick sent anything
    await vote(hub, room, "p1", A)
    for _ in range(200):
        if any(f["type"] == "tally" and f.get("total") == 1 for f in screen):
            break
        await asyncio.sleep(hub.ticker.interval)
    assert any(f["type"] == "tally" and f.get("total") == 1 for f in screen), screen


async def test_the_first_switch_after_loading_sends_phones_the_state_alone(
        hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    """Phones that connected to a freshly loaded room got its (empty) reasons list with their
    snapshot; the first switch must not send all of them that list again."""
    monkeypatch.setitem(ticker_module.VOICE_INTERVAL, Audience.PHONE, 0.0)
    room = await make(hub, visibility=Visibility.LIVE, reasons=ReasonsShown.ALWAYS)
    heard = listen(hub, room, Audience.PHONE)
    await hub.control(room, Action.NEXT)
    await hub.ticker.flush()
    for _ in range(5):  # let the outbox's sender run
        await asyncio.sleep(0)
    assert [f["type"] for f in heard if f["type"] != "tally"] == ["state"]
