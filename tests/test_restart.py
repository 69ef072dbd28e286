"""The server stops in the middle of an event and comes back on the same database file: the room,
the moderator and the phones find everything where it was."""

from __future__ import annotations

import asyncio
import signal

from support.checks import CHOICES, counts_of, tally_matches
from support.clients import Moderator, Phone, new_participant, open_socket
from support.debate import Debate
from support.server import Site


async def phones_for(site: Site, debate: Debate, participants: list[str]) -> list[Phone]:
    return list(
        await asyncio.gather(*(open_socket(site, debate, "phone", p) for p in participants))
    )


async def screen_socket(site: Site, debate: Debate) -> Phone:
    return await open_socket(site, debate, "screen")


async def moderator_socket(site: Site, debate: Debate, mod: Moderator) -> Phone:
    return await open_socket(site, debate, "moderator", cookie=mod.cookie_header())


async def close_all(clients: list[Phone]) -> None:
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


async def test_a_restart_keeps_the_live_state_the_tally_and_every_phones_votes(site, moderator):
    debate = site.new("Restart debate", ["First", "Second", "Third"])
    s1, s2 = debate.sid(1), debate.sid(2)
    server = site.start()
    mod = await moderator(server, debate)
    participants = [new_participant() for _ in range(20)]
    first = [CHOICES[i % 3] for i in range(20)]
    second = [CHOICES[(i * 7) % 3] for i in range(12)]

    phones = await phones_for(site, debate, participants)
    try:
        await mod.show(s1, "open")
        acks = await asyncio.gather(*(p.cast(s1, c) for p, c in zip(phones, first, strict=True)))
        assert all(a["type"] == "ack" for a in acks), acks
        await mod.show(s2, "open", revealed=True)
        acks = await asyncio.gather(
            *(p.cast(s2, c) for p, c in zip(phones[:12], second, strict=True))
        )
        assert all(a["type"] == "ack" for a in acks), acks
        expected = counts_of(second)
        mod_ws = await moderator_socket(site, debate, mod)
        before = await mod_ws.recv_until(lambda f: tally_matches(f, s2, total=12, counts=expected))
        await mod_ws.close()

        # the server is stopped (as systemd or Ctrl-C would): phones notice
        assert server.stop() is not None
        assert not server.killed, "the server did not exit on SIGTERM"
        assert server.proc.returncode in (0, -signal.SIGTERM), server.proc.returncode
        for phone in phones:
            await phone.wait_closed()
    finally:
        await close_all(phones)

    server = site.start()  # same port and file: the pages reconnect to the same address
    screen = await screen_socket(site, debate)
    mod_ws = await moderator_socket(site, debate, mod)  # the moderator's session survives
    try:
        for client in (screen, mod_ws):
            state = await client.recv_type("state")
            assert state["statement"]["id"] == s2, state
            assert (state["phase"], state["revealed"]) == ("open", True), state
            assert state["results"]["counts"] == expected and state["results"]["total"] == 12
            tally = await client.recv_type("tally")
            assert tally["statement"] == s2 and tally["total"] == 12, tally
            assert tally["counts"] == expected and tally["percent"] == before["percent"], tally

        phones = await phones_for(site, debate, participants)
        for i, phone in enumerate(phones):
            welcome = await phone.recv_type("welcome")
            mine = {str(s1): first[i]}
            if i < len(second):
                mine[str(s2)] = second[i]
            assert welcome["participant"] == participants[i]
            assert welcome["votes"] == mine, (i, welcome)
            state = await phone.recv_type("state")
            assert (state["statement"]["id"], state["phase"]) == (s2, "open"), state

        # voting goes on, on top of what was there
        newcomer = (await phones_for(site, debate, [new_participant()]))[0]
        phones.append(newcomer)
        assert (await newcomer.cast(s2, "agree"))["type"] == "ack"
        assert (await phones[19].cast(s2, "disagree"))["type"] == "ack"
        expected = counts_of([*second, "agree", "disagree"])
        await screen.recv_until(lambda f: tally_matches(f, s2, total=14, counts=expected))
        await mod_ws.recv_until(lambda f: tally_matches(f, s2, total=14, counts=expected))
        doc = (await mod.export("export.json")).json()
        assert len(doc["votes"]) == 20 + 12 + 2
        assert doc["statements"][0]["results"]["counts"] == counts_of(first)
    finally:
        await close_all([screen, mod_ws, *phones])


async def test_acknowledged_votes_survive_a_crash(site, moderator):
    """kill -9 right after the acks: an acknowledged vote was already committed."""
    debate = site.new("Crash debate", ["Only statement"])
    s1 = debate.sid(1)
    server = site.start()
    mod = await moderator(server, debate)
    participants = [new_participant() for _ in range(10)]
    choices = [CHOICES[i % 3] for i in range(10)]
    phones = await phones_for(site, debate, participants)
    try:
        await mod.show(s1, "open", revealed=True)
        acks = await asyncio.gather(*(p.cast(s1, c) for p, c in zip(phones, choices, strict=True)))
        assert all(a["type"] == "ack" for a in acks), acks
        server.kill()
    finally:
        await close_all(phones)

    site.start()
    screen = await screen_socket(site, debate)
    phones = await phones_for(site, debate, participants)
    try:
        state = await screen.recv_type("state")
        assert (state["statement"]["id"], state["phase"], state["revealed"]) == (s1, "open", True)
        tally = await screen.recv_type("tally")
        assert tally["counts"] == counts_of(choices) and tally["total"] == 10, tally
        for phone, choice in zip(phones, choices, strict=True):
            assert (await phone.recv_type("welcome"))["votes"] == {str(s1): choice}
    finally:
        await close_all([screen, *phones])
