"""Each phone's line on the map ("you are in group B with 9 others; you agree with them on 6 of
6"), pushed after a recomputation: to every phone whose line changed, at most one line per
phone every `gap` seconds, and a line held back for its gap still arrives."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Awaitable, Callable

from support.planted import planted

from poll.broadcast.memory import MemoryPubSub
from poll.broadcast.outbox import Subscriber
from poll.live import frames, places
from poll.live.room import Room
from poll.model import Debate, Phase, Stage, Statement
from poll.opinion.ballots import Ballots
from poll.opinion.compute import compute

GROUPS, PER_GROUP, STATEMENTS = 3, 10, 6


def _room() -> tuple[Room, Ballots]:
    statements = [Statement(id=s, debate_id="d", position=s, text=f"Statement {s}")
                  for s in range(1, STATEMENTS + 1)]
    debate = Debate("d", "Hubs", "en", "ABCDEF", "now", statements,
                    Stage(STATEMENTS, Phase.OPEN, show_map=True))
    ballots, _ = planted(GROUPS, PER_GROUP, STATEMENTS, noise=0.0)
    room = Room(debate, {})
    room.phones.update(ballots.participants)
    room.opinion = compute(ballots)
    return room, ballots


def _turned(ballots: Ballots, participant: str, statement: int) -> Ballots:
    """`ballots` with `participant`'s answer to `statement` turned to the other side."""
    votes = []
    for who, s, choice in ballots.votes:
        if (who, s) == (participant, statement):
            choice = "disagree" if choice == "agree" else "agree"
        votes.append((who, s, choice))
    return Ballots.from_votes(ballots.statements, votes)


async def test_a_phone_gets_at_most_one_line_per_gap_and_the_held_back_one_arrives() -> None:
    room, ballots = _room()
    pubsub = MemoryPubSub()
    clock = asyncio.get_running_loop().time
    got: list[tuple[float, str, dict[str, object]]] = []  # (loop time, participant, line)

    def sender(participant: str) -> Callable[[str], Awaitable[None]]:
        async def send(text: str) -> None:
            got.append((clock(), participant, json.loads(text)))
        return send

    async with asyncio.TaskGroup() as tasks:
        ready = asyncio.Event()

        async def phone(participant: str) -> None:
            async with pubsub.subscribe(frames.own_channel(room.id, participant),
                                        Subscriber(sender(participant))):
                ready.set()
                await asyncio.sleep(3600)

        phones = [tasks.create_task(phone(p)) for p in ballots.participants]
        await asyncio.sleep(0)
        await ready.wait()
        mover = ballots.participants[0]
        asked = json.loads(places.answer(room, mover))  # it asked: that is a line it got
        asked_at = clock()
        assert (asked["others"], asked["same"], asked["of"]) == (PER_GROUP - 1, STATEMENTS,
                                                                 STATEMENTS)
        # a recomputation after the mover turned against its group on one statement
        room.opinion = compute(_turned(ballots, mover, 1), room.opinion)

        gap = 1.0
        sent = await places.push(room, pubsub, spread=0.1, gap=gap)
        await asyncio.sleep(0.05)  # the outboxes' senders write what was handed to them
        for task in phones:
            task.cancel()

    assert sent == GROUPS * PER_GROUP
    assert Counter(who for _, who, _ in got) == Counter(ballots.participants)  # one line each
    when, _, line = next(g for g in got if g[1] == mover)
    assert {**line, "same": STATEMENTS} == asked, "its line, one statement fewer in agreement"
    assert line["same"] == STATEMENTS - 1
    assert when >= asked_at + gap, "not before its gap since the line it asked for"
    others = [w for w, who, _ in got if who != mover]
    assert max(others) < when, "the phones with no line yet got theirs first, at once"
    # nothing changed since: nobody gets anything
    assert await places.push(room, pubsub, spread=0.1, gap=gap) == 0
