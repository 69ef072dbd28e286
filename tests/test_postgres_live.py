"""`poll serve --db postgresql://...`: a real server on a real PostgreSQL database. Phones vote
over websockets, every acknowledged vote is in the database, a resent vote counts once, and a
restart finds the room where it was; `poll new`, `list` and `export` work on the same URL."""

from __future__ import annotations

import asyncio
from pathlib import Path

from support.checks import CHOICES, counts_of, read_csv, tally_matches
from support.clients import new_participant, open_socket
from support.server import Site, describe, run_poll


async def test_phones_vote_on_a_server_whose_archive_is_postgresql(
        tmp_path: Path, postgres_database: str, moderator) -> None:
    site = Site(tmp_path, db=postgres_database)
    try:
        debate = site.new("Op PostgreSQL", ["Eerste", "Tweede"])
        s1 = debate.sid(1)
        server = site.start()
        assert "postgresql://poll@127.0.0.1" in server.stdout()
        mod = await moderator(server, debate)
        await mod.show(s1, "open")
        participants = [new_participant() for _ in range(24)]
        choices = [CHOICES[i % 3] for i in range(24)]
        phones = list(await asyncio.gather(
            *(open_socket(server, debate, "phone", p) for p in participants)))
        try:
            acks = await asyncio.gather(
                *(p.cast(s1, c, f"v-{i}") for i, (p, c) in enumerate(zip(phones, choices,
                                                                           strict=True))))
            assert [a["type"] for a in acks] == ["ack"] * 24, acks
            again = await phones[0].cast(s1, choices[0], "v-0")  # a resend after a lost ack
            assert again["type"] == "ack", again
            mod_ws = await open_socket(server, debate, "moderator", cookie=mod.cookie_header())
            await mod_ws.recv_until(
                lambda f: tally_matches(f, s1, total=24, counts=counts_of(choices)))
            await mod_ws.close()
        finally:
            await asyncio.gather(*(p.close() for p in phones), return_exceptions=True)

        server.stop()
        server = site.start()  # the same database: the room resumes as it was
        mod_ws = await open_socket(server, debate, "moderator", cookie=mod.cookie_header())
        try:
            state = await mod_ws.recv_type("state")
            assert state["statement"]["id"] == s1 and state["phase"] == "open", state
            assert state["results"]["total"] == 24, state
        finally:
            await mod_ws.close()
    finally:
        site.close()

    listed = run_poll("list", "--db", postgres_database)
    assert listed.returncode == 0 and "24 votes" in listed.stdout, describe(listed)
    exported = run_poll("export", debate.id, "--format", "votes-csv", "--db", postgres_database)
    assert exported.returncode == 0, describe(exported)
    rows = read_csv(exported.stdout)
    assert len(rows) == 24  # the resent vote is stored once
    assert sorted(r["choice"] for r in rows) == sorted(choices)
