"""Faults under real servers (issue 15, point 4): PostgreSQL stopped under a running `poll serve`,
a worker killed with SIGKILL in the middle of a burst of votes, Redis restarted mid-debate.

What a user would notice: a phone whose vote could not be saved is told so ("not saved, try
again") and never acknowledged; the server comes back by itself when the database does; a phone
whose worker died reconnects, sends its unacknowledged vote again with the same id, and ends
with it acknowledged, stored once; every page agrees again after Redis was away. Every check
waits for its condition (no timed assertions); measured seconds are printed."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from support.checks import read_csv, tally_matches
from support.clients import http_client, new_participant, open_socket
from support.postgres import PostgresServer, postgres_bindir
from support.server import Site, describe, run_poll


def _state_is(statement: int, phase: str):
    return lambda f: (f.get("type") == "state" and (f.get("statement") or {}).get("id")
                      == statement and f.get("phase") == phase)


@pytest.fixture
def own_postgres():
    """A PostgreSQL server of this test's own, which it may stop and start again."""
    server = PostgresServer(postgres_bindir()).start()
    yield server
    server.stop()


async def _until(condition, what: str, timeout: float = 120.0) -> float:
    """Wait until `condition()` holds (polled); the seconds it took. Fails after `timeout`."""
    started = time.monotonic()
    while not await condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"never: {what}")
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def test_postgresql_down_refuses_votes_as_not_saved_and_comes_back_by_itself(
        tmp_path: Path, own_postgres: PostgresServer, moderator) -> None:
    database = own_postgres.database()
    site = Site(tmp_path, db=database)
    opened = []
    try:
        debate = site.new("Database weg", ["Eerste"], "en")
        unseen = site.new("Nog niet geopend", ["Later"], "en")  # not loaded by the server yet
        s1 = debate.sid(1)
        server = site.start()
        mod = await moderator(server, debate)
        await mod.show(s1, "open")
        phones = [await open_socket(server, debate, "phone", new_participant())
                  for _ in range(3)]
        opened += phones
        for phone in phones:
            await phone.recv_until(_state_is(s1, "open"), what="voting open")
        assert (await phones[0].cast(s1, "agree"))["type"] == "ack"

        own_postgres.halt()  # pg_ctl stop -m fast: every connection of the server ended
        refused = await phones[1].cast(s1, "disagree", "v-while-down")
        assert refused["type"] == "error" and refused["code"] == "not_saved", refused
        assert "could not be saved" in refused["message"], refused
        # Page loads while the database is away: a debate the server holds in memory still
        # shows; one it must read, and the archive, give a clear 503 page, never a 500.
        async with http_client(server) as browser:
            page = await browser.get(f"/j/{debate.join_code}")
            assert page.status_code == 200, (page.status_code, page.text[:500])
            for path in (f"/j/{unseen.join_code}", "/archive"):
                page = await browser.get(path)
                assert page.status_code == 503, (path, page.status_code, page.text[:500])
                assert "Please try again in a moment" in page.text, (path, page.text[:1000])
        again = await phones[1].cast(s1, "disagree", "v-while-down")  # the phone tries again
        assert again["type"] == "error" and again["code"] == "not_saved", again

        own_postgres.resume()
        # without restarting poll serve: the next try is acknowledged and stored
        async def saved() -> bool:
            reply = await phones[1].cast(s1, "disagree", "v-after")
            return reply["type"] == "ack"

        seconds = await _until(saved, "a vote acknowledged after PostgreSQL came back")
        print(f"\nPostgreSQL back: first vote acknowledged after {seconds:.2f} s")
        assert (await phones[2].cast(s1, "neutral"))["type"] == "ack"
        async with http_client(server) as browser:
            page = await browser.get(f"/j/{debate.join_code}")
            assert page.status_code == 200, (page.status_code, page.text[:500])
        watcher = await open_socket(server, debate, "moderator", cookie=mod.cookie_header())
        opened.append(watcher)
        await watcher.recv_until(lambda f: tally_matches(f, s1, total=3),
                                 what="the three acknowledged votes")
        assert "Traceback" not in server.stderr(), server.logs()
    finally:
        await asyncio.gather(*(p.close() for p in opened), return_exceptions=True)
        site.close()

    exported = run_poll("export", debate.id, "--format", "votes-csv", "--db", database)
    assert exported.returncode == 0, describe(exported)
    rows = read_csv(exported.stdout)
    assert sorted(r["choice"] for r in rows) == ["agree", "disagree", "neutral"], rows
