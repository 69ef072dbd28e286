"""No vote lost, none doubled: 1,000 phones vote in a burst, the server is killed with SIGKILL in
the middle, a new one starts on the same file, and the phones resend what was not confirmed (as the
phone page does: same vote id, so a vote that was stored but not acknowledged is stored once)."""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass, field

from support.checks import CHOICES
from support.clients import new_participant, participant_cookie, socket_url
from support.server import describe, run_poll
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

VOTERS = 1000
KILL_AFTER_ACKS = 300


@dataclass
class Voter:
    participant: str
    plan: list[tuple[str, str]]  # (vote id, choice) in the order the person taps
    confirmed: set[str] = field(default_factory=set)

    @property
    def final_choice(self) -> str:
        return self.plan[-1][1]


async def vote_until_cut(url: str, voter: Voter, statement: int, acks: list[int]) -> None:
    """Connect, then cast each planned vote, waiting for its ack; stop quietly when cut off."""
    try:
        async with connect(url, additional_headers={
                "Cookie": participant_cookie(voter.participant)}, compression=None,
                open_timeout=60) as ws:
            for vote_id, choice in voter.plan:
                await ws.send(json.dumps({"type": "vote", "id": vote_id, "statement": statement,
                                          "choice": choice}))
                while True:
                    frame = json.loads(await ws.recv())
                    if frame["type"] == "ack" and frame["id"] == vote_id:
                        voter.confirmed.add(vote_id)
                        acks[0] += 1
                        break
                    assert frame["type"] != "error", frame
    except (ConnectionClosed, OSError, InvalidHandshake, TimeoutError):
        pass  # the server died under us: what was confirmed is recorded


async def resend_unconfirmed(url: str, voter: Voter, statement: int, gate: asyncio.Semaphore):
    """After the restart: reconnect (retrying, as the page's backoff does) and send again every
    vote not yet confirmed, in the original order."""
    for attempt in range(60):
        try:
            async with gate, connect(url, additional_headers={
                    "Cookie": participant_cookie(voter.participant)}, compression=None,
                    open_timeout=60) as ws:
                for vote_id, choice in voter.plan:
                    if vote_id in voter.confirmed:
                        continue
                    await ws.send(json.dumps({"type": "vote", "id": vote_id,
                                              "statement": statement, "choice": choice}))
                    while True:
                        frame = json.loads(await ws.recv())
                        if frame["type"] == "ack" and frame["id"] == vote_id:
                            voter.confirmed.add(vote_id)
                            break
                        assert frame["type"] != "error", frame
                return
        except (ConnectionClosed, OSError, InvalidStatus, TimeoutError):
            await asyncio.sleep(0.2 + random.random() * min(2.0, 0.1 * 2 ** attempt))
    raise AssertionError(f"{voter.participant} could not resend its votes")


async def test_kill_9_in_a_burst_of_1000_votes_loses_and_doubles_nothing(site, moderator, capsys):
    rng = random.Random(1234)
    debate = site.new("Crash", ["Het stemmen overleeft een crash."])
    statement = debate.sid(1)
    server = site.start()
    mod = await moderator(server, debate)
    await mod.show(statement, "open")
    await mod.aclose()

    voters = []
    for n in range(VOTERS):
        first = (f"v{n}-1", CHOICES[rng.randrange(3)])
        # one in five changes their mind right after the first vote counted
        plan = [first, (f"v{n}-2", CHOICES[rng.randrange(3)])] if n % 5 == 0 else [first]
        voters.append(Voter(new_participant(), plan))
    url = socket_url(server, debate, "phone")
    acks = [0]
    burst = [asyncio.create_task(vote_until_cut(url, v, statement, acks)) for v in voters]
    async with asyncio.timeout(120):
        while acks[0] < KILL_AFTER_ACKS and not all(t.done() for t in burst):
            await asyncio.sleep(0.005)
    server.kill()  # SIGKILL: no shutdown, no flush, as in a crash
    await asyncio.gather(*burst)
    confirmed_before = {(v.participant, vid) for v in voters for vid in v.confirmed}
    assert KILL_AFTER_ACKS <= len(confirmed_before) < sum(len(v.plan) for v in voters), (
        "the kill must land in the middle of the burst")

    server = site.start()
    gate = asyncio.Semaphore(200)
    async with asyncio.timeout(300):
        await asyncio.gather(*(resend_unconfirmed(url, v, statement, gate) for v in voters))
    server.stop()

    exported = run_poll("export", debate.id, "--format", "json", "--db", site.db)
    assert exported.returncode == 0, describe(exported)
    document = json.loads(exported.stdout)
    stored = {(v["participant"], v["vote_id"]) for v in document["votes"]}
    rows = [(v["participant"], v["vote_id"]) for v in document["votes"]]
    lost = confirmed_before - stored
    assert not lost, f"{len(lost)} confirmed votes lost"
    assert len(rows) == len(set(rows)) == sum(len(v.plan) for v in voters), "a vote was doubled"
    results = document["statements"][0]["results"]
    expected = {c: sum(v.final_choice == c for v in voters) for c in CHOICES}
    assert results["total"] == VOTERS
    assert results["counts"] == expected, "each voter's final choice counts exactly once"
    with capsys.disabled():
        print(f"\n[crash figures] voters {VOTERS}; votes planned {len(rows)}; confirmed before "
              f"kill -9: {len(confirmed_before)}; found after restart: "
              f"{len(confirmed_before & stored)}; lost: {len(lost)}; stored in all: {len(stored)}")
