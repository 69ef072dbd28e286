"""The hub's rules: who may vote when, what the moderator's actions do, and that the in-memory
tallies always equal a recount of the archive (DESIGN invariant 3)."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path

import pytest

from poll.broadcast import MemoryPubSub, Subscriber
from poll.config import Settings
from poll.live import Hub, Refusal, Room, frames
from poll.model import Action, Audience, Choice, Phase
from poll.store.sqlite import SQLiteStore
from poll.web.statuses import status_of


async def make(hub: Hub, n: int = 3) -> Room:
    debate, _ = await hub.store.create_debate("T", "en", [f"S{i}" for i in range(1, n + 1)])
    live = await hub.get(debate.id)
    assert live is not None
    return live


async def test_votes_count_only_while_open_on_the_current_statement(hub: Hub) -> None:
    live = await make(hub)
    first, second = live.debate.statements[:2]
    with pytest.raises(Refusal) as waiting:
        await hub.vote(live, "p_1", first.id, Choice.AGREE, "v1")
    assert waiting.value.code == "voting_closed"
    await hub.control(live, Action.OPEN)
    await hub.vote(live, "p_1", first.id, Choice.AGREE, "v1")
    with pytest.raises(Refusal) as other:
        await hub.vote(live, "p_1", second.id, Choice.AGREE, "v2")
    assert other.value.code == "not_current"
    with pytest.raises(Refusal) as unknown:
        await hub.vote(live, "p_1", 987654, Choice.AGREE, "v3")
    assert status_of(unknown.value.why) == 404
    await hub.control(live, Action.CLOSE)
    with pytest.raises(Refusal):
        await hub.vote(live, "p_2", first.id, Choice.AGREE, "v4")
    assert len(await hub.store.votes(live.debate.id)) == 1
    assert live.tally(first.id).total == 1


async def test_moving_on_resets_the_phase_and_hides_results(hub: Hub) -> None:
    live = await make(hub)
    await hub.control(live, Action.TOGGLE)
    assert live.debate.stage.phase is Phase.OPEN
    await hub.vote(live, "p_1", live.debate.statements[0].id, Choice.AGREE, "v1")
    await hub.control(live, Action.REVEAL)
    state = await hub.control(live, Action.NEXT)
    assert (state.statement_id, state.phase, state.revealed) == (
        live.debate.statements[1].id, Phase.WAITING, False)
    # back to a statement that has votes: it comes back closed, ready to reveal
    state = await hub.control(live, Action.PREV)
    assert state.phase is Phase.CLOSED
    with pytest.raises(Refusal):
        await hub.control(live, Action.PREV)
    state = await hub.control(live, Action.GOTO, live.debate.statements[2].id)
    assert state.statement_id == live.debate.statements[2].id
    with pytest.raises(Refusal):
        await hub.control(live, Action.NEXT)


async def test_actions_reach_every_audience_and_tallies_only_screens_and_moderators(
    hub: Hub,
) -> None:
    live = await make(hub)
    inboxes: dict[str, list[dict]] = {}
    subscriptions = []
    for audience in ("phone", "screen", "moderator"):
        inbox: list[dict] = []
        inboxes[audience] = inbox

        async def send(frame: str, inbox: list[dict] = inbox) -> None:
            inbox.append(json.loads(frame))

        sub = Subscriber(send)
        cm = hub.pubsub.subscribe(frames.channel(live.debate.id, Audience(audience)), sub)
        await cm.__aenter__()
        subscriptions.append((cm, sub))
    await hub.control(live, Action.OPEN)
    for i in range(20):
        await hub.vote(live, f"p_{i}", live.debate.statements[0].id, Choice.AGREE, "v")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while not all(any(f["type"] == "tally" and f["total"] == 20 for f in inboxes[audience])
                  for audience in ("moderator", "screen")):
        assert loop.time() < deadline, "no tally with all 20 votes"
        await asyncio.sleep(0.01)
    for audience, inbox in inboxes.items():
        assert [f["phase"] for f in inbox if f["type"] == "state"] == ["open"], audience
    assert not [f for f in inboxes["phone"] if f["type"] == "tally"]
    moderator = [f for f in inboxes["moderator"] if f["type"] == "tally"]
    screen = [f for f in inboxes["screen"] if f["type"] == "tally"]
    assert moderator[-1]["counts"]["agree"] == 20
    assert screen[-1]["total"] == 20 and screen[-1]["counts"] is None  # hidden until revealed
    # coalesced: far fewer frames than votes
    assert len(moderator) < 20
    for cm, sub in subscriptions:
        sub.stop()
        await cm.__aexit__(None, None, None)


async def test_tallies_equal_a_recount_after_random_operations(tmp_path: Path) -> None:
    rng = random.Random(20260129)
    for round_ in range(5):
        async with SQLiteStore(tmp_path / f"r{round_}.db") as store:
            hub = Hub(store, MemoryPubSub(), Settings())
            live = await make(hub, 4)
            for step in range(300):
                op = rng.random()
                try:
                    if op < 0.15:
                        await hub.control(live, rng.choice(list(Action)),
                                          rng.choice(live.debate.statements).id)
                    else:
                        statement = rng.choice(live.debate.statements)
                        await asyncio.gather(*(
                            hub.vote(live, f"p_{rng.randrange(12)}", statement.id,
                                     rng.choice(list(Choice)), f"v{step}-{k % 3}")
                            for k in range(rng.randrange(1, 6))
                        ), return_exceptions=True)
                except Refusal:
                    pass
            recount = await store.tallies(live.debate.id)
            assert {k: t.choices for k, t in live.tallies.items() if t.total} == {
                k: t.choices for k, t in recount.items()}
            # a fresh hub on the same file rebuilds the same tallies and live state
            again = await Hub(store, MemoryPubSub(), Settings()).get(live.debate.id)
            assert again is not None
            assert again.debate.stage == live.debate.stage
            assert {k: t.counts for k, t in again.tallies.items()} == {
                k: t.counts for k, t in live.tallies.items() if t.total}


async def test_a_debate_created_after_start_is_found(hub: Hub) -> None:
    assert await hub.get("nosuchid") is None
    debate, _ = await hub.store.create_debate("Later", "en", ["S"])
    assert (await hub.by_code(debate.join_code.lower())) is not None
