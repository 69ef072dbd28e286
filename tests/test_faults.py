"""Faults under real servers (issue 15, point 4): PostgreSQL stopped under a running `poll serve`,
a worker killed with SIGKILL in the middle of a burst of votes, Redis restarted mid-debate.

What a user would notice: a phone whose vote could not be saved is told so ("not saved, try
again") and never acknowledged; the server comes back by itself when the database does; a phone
whose worker died reconnects, sends its unacknowledged vote again with the same id, and ends
with it acknowledged, stored once; every page agrees again after Redis was away. Every check
waits for its condition (no timed assertions); measured seconds are printed."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import replace
from pathlib import Path

import asyncpg
import psutil
import pytest
from support.checks import CHOICES, counts_of, read_csv, tally_matches
from support.clients import Phone, http_client, new_participant, open_socket
from support.debate import Debate
from support.live_phone import LivePhone
from support.postgres import PostgresServer, postgres_bindir
from support.redis import RedisServer
from support.server import Server, Site, describe, free_port, peers_of, run_poll, worker_processes

PHONES = 200  # phones in the burst of votes a worker dies in
BURST = 2.0  # seconds over which they vote


def _state_is(statement: int, phase: str):
    return lambda f: (f.get("type") == "state" and (f.get("statement") or {}).get("id")
                      == statement and f.get("phase") == phase)


def _at(debate: Debate, site: Site, server: Server) -> Debate:
    """The debate's links as they are on `server` (`poll new` printed them on the site's)."""
    def moved(url: str | None) -> str | None:
        return None if url is None else url.replace(site.url, server.url, 1)

    return replace(debate, moderator_url=moved(debate.moderator_url),
                   screen_url=moved(debate.screen_url), join_url=moved(debate.join_url))


@pytest.fixture
def own_postgres():
    """A PostgreSQL server of this test's own, which it may stop and start again."""
    server = PostgresServer(postgres_bindir()).start()
    yield server
    server.stop()


async def _until(condition, what, timeout: float = 120.0) -> float:
    """Wait until `condition()` holds (polled); the seconds it took. Fails after `timeout`,
    saying `what` (or what `what()` says then)."""
    started = time.monotonic()
    while not await condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"never: {what() if callable(what) else what}")
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


async def _on_each_worker(server: Server, open_page, workers: list[psutil.Process],
                          tries: int = 40) -> dict[int, Phone]:
    """A page (`open_page()`) on each of `workers`: pages are opened until the kernel has
    handed one to each (the others are closed)."""
    found: dict[int, Phone] = {}
    for _ in range(tries):
        page = await open_page()
        port = page.ws.transport.get_extra_info("sockname")[1]
        on = next((w.pid for w in workers if port in peers_of(w)), None)
        if on is not None and on not in found:
            found[on] = page
        else:
            await page.close()
        if len(found) == len(workers):
            break
    assert len(found) == len(workers), f"pages landed on {list(found)} of {workers}"
    return found


async def test_a_worker_killed_in_a_burst_of_votes_loses_and_doubles_none(
        tmp_path: Path, postgres_database: str, redis: RedisServer, moderator) -> None:
    site = Site(tmp_path, db=postgres_database)
    phones: list[LivePhone] = []
    pages: list[Phone] = []
    try:
        debate = site.new("Een werker valt", ["Eerste"], "en", "--visibility", "live")
        s1 = debate.sid(1)
        server = site.start("--pubsub", redis.url, "--workers", "2")
        workers = worker_processes(server)
        assert len(workers) == 2, workers
        mod = await moderator(server, debate)
        await mod.show(s1, "open")
        phones = [LivePhone(server.url, debate, new_participant()).start()
                  for _ in range(PHONES)]
        await _until(_all(lambda: all(p.phase == "open" and p.current == s1 for p in phones)),
                     "every phone connected, voting open")
        # which worker holds which phone (by the phone's port among the worker's peers)
        doomed, survivor = sorted(workers, key=lambda w: -len(peers_of(w)))
        on_doomed = peers_of(doomed)
        victims = [p for p in phones if (w := p.where()) is not None and w[1] in on_doomed]
        print(f"\n{len(victims)} of {PHONES} phones on worker {doomed.pid}, "
              f"{PHONES - len(victims)} on {survivor.pid}")
        assert victims, "no phone landed on the worker to kill"

        choices = {p.participant: CHOICES[i % 3] for i, p in enumerate(phones)}
        voted: dict[str, str] = {}  # participant -> the id of its vote

        async def press(phone: LivePhone) -> None:
            await asyncio.sleep(random.random() * BURST)
            voted[phone.participant] = await phone.vote(s1, choices[phone.participant])

        burst = asyncio.gather(*(press(p) for p in phones))
        # kill -9 the worker in the middle of the burst: once about half its phones are answered
        await _until(_all(lambda: sum(p.acked is not None for p in victims) >= len(victims) // 2),
                     "half the doomed worker's phones answered")
        doomed.kill()
        answered = sum(p.acked is not None for p in victims)
        waiting = sum(p.participant in voted and p.pending is not None for p in victims)
        print(f"killed worker {doomed.pid}: {answered} of its phones had their ack, "
              f"{waiting} had a vote in flight, {len(victims) - answered - waiting} had not voted")
        await burst
        seconds = await _until(_all(lambda: all(p.settled() for p in phones)),
                               "every phone's vote answered", timeout=240)
        print(f"every phone answered {seconds:.2f} s after the burst; "
              f"{sum(p.connects > 1 for p in phones)} phones reconnected, "
              f"{sum(p.resent for p in phones)} votes resent with their id, "
              f"{sum(p.confirmed_by_welcome for p in phones)} confirmed by a welcome")

        assert [p.refused for p in phones if p.refused] == []
        assert all(p.connects > 1 for p in victims)  # every phone of the dead worker came back
        for phone in phones:  # each phone saw its own vote counted, with its choice
            if phone.acked is not None:
                assert phone.acked["id"] == voted[phone.participant], phone.acked
                assert phone.acked["choice"] == choices[phone.participant], phone.acked
            else:
                assert phone.confirmed_by_welcome, phone.participant
                assert phone.counted[str(s1)] == choices[phone.participant]

        # the database: one vote per phone, the one it sent (by its id), no more, no fewer
        conn = await asyncpg.connect(postgres_database)
        try:
            rows = await conn.fetch("SELECT participant, client_id, choice FROM votes"
                                    " WHERE debate_id = $1", debate.id)
        finally:
            await conn.close()
        stored = {r["participant"]: (r["client_id"], r["choice"]) for r in rows}
        assert len(rows) == PHONES == len(stored), (len(rows), len(stored))
        assert stored == {p: (voted[p], choices[p]) for p in choices}

        # the projector, on each worker (the one that lived through the kill, and the new one),
        # shows every vote, each phone's choice
        survivors = worker_processes(server)
        screens = await _on_each_worker(server, lambda: open_socket(server, debate, "screen"),
                                        survivors)
        pages += screens.values()
        expected = counts_of(choices.values())
        for pid, screen in screens.items():
            took = await _until(_all(lambda s=screen: any(
                tally_matches(f, s1, total=PHONES, counts=expected) for f in s.frames)),
                lambda s=screen, pid=pid: f"the tally of every vote on the projector of worker "
                f"{pid}: {(s.latest('tally') or {}).get('counts')} of {expected}")
            print(f"projector on worker {pid}: every vote after {took:.2f} s")
    finally:
        await asyncio.gather(*(p.stop() for p in phones), *(p.close() for p in pages),
                             return_exceptions=True)
        site.close()

    exported = run_poll("export", debate.id, "--format", "votes-csv", "--db", postgres_database)
    assert exported.returncode == 0, describe(exported)
    rows = read_csv(exported.stdout)
    assert sorted(r["participant"] for r in rows) == sorted(choices)
    assert {r["participant"]: r["choice"] for r in rows} == choices


def _all(check):
    async def holds() -> bool:
        return bool(check())
    return holds


async def test_redis_restarted_mid_debate_every_page_agrees_again(
        tmp_path: Path, postgres_database: str, redis: RedisServer, moderator) -> None:
    site = Site(tmp_path, db=postgres_database)
    pages: list[Phone] = []
    try:
        debate = site.new("Redis valt om", ["Eerste"], "en", "--visibility", "live")
        s1 = debate.sid(1)
        a, b = (Server(site.db, port, ["--pubsub", redis.url], site.directory).start()
                for port in (site.port, free_port()))
        site.servers += [a, b]
        mod_b = await moderator(b, _at(debate, site, b))
        await mod_b.show(s1, "open")
        # every kind of page on each worker: projector, moderator, phones
        kinds: dict[str, Phone] = {}
        for name, server in (("A", a), ("B", b)):
            kinds[f"projector on {name}"] = await open_socket(server, debate, "screen")
            kinds[f"moderator on {name}"] = await open_socket(
                server, debate, "moderator", cookie=mod_b.cookie_header())
        phones = {name: [await open_socket(server, debate, "phone", new_participant())
                         for _ in range(4)] for name, server in (("A", a), ("B", b))}
        for name, group in phones.items():
            for i, phone in enumerate(group):
                kinds[f"phone {i + 1} on {name}"] = phone
        pages += kinds.values()
        for page in kinds.values():
            await page.recv_until(_state_is(s1, "open"), what="voting open")
        before = ["agree", "disagree"]
        for phone, choice in zip([phones["A"][0], phones["B"][0]], before, strict=True):
            assert (await phone.cast(s1, choice))["type"] == "ack"

        redis.stop()  # mid-debate: every message from now on is lost
        during = ["neutral", "agree", "agree", "disagree", "neutral", "agree"]
        voters = [*phones["A"][1:], *phones["B"][1:]]
        acks = await asyncio.gather(*(p.cast(s1, c) for p, c in zip(voters, during,
                                                                    strict=True)))
        assert [r["type"] for r in acks] == ["ack"] * 6, acks  # PostgreSQL has them
        await mod_b.control("reveal")  # and the moderator on B acts meanwhile
        redis.start()
        restarted = time.monotonic()
        every = counts_of([*before, *during])

        def in_step(page: Phone) -> bool:
            state, tally = page.latest("state"), page.latest("tally")
            return (state is not None and state.get("revealed") is True
                    and tally is not None and tally_matches(tally, s1, total=8, counts=every))

        behind: list[str] = []

        async def all_in_step() -> bool:
            behind[:] = [name for name, page in kinds.items() if not in_step(page)]
            return not behind

        await _until(all_in_step, lambda: f"pages still behind: {behind}")
        seconds = time.monotonic() - restarted
        print(f"\nRedis back: every page ({len(kinds)}: projector, moderator and phones on "
              f"both workers) in step after {seconds:.2f} s")
    finally:
        await asyncio.gather(*(p.close() for p in pages), return_exceptions=True)
        site.close()
