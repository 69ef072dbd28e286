"""Several `poll serve` processes on one PostgreSQL database and one Redis server (issue 15): a
phone on one worker and the projector on another see the same debate; a close on one refuses
votes on the other; a Redis restarted mid-debate leaves every page in step again; `--workers N`
runs N processes on one port, starts a killed one again, and is refused without PostgreSQL and
Redis. Real servers all through: `poll serve` subprocesses, PostgreSQL, redis-server."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from support.checks import counts_of, read_csv, tally_matches
from support.clients import new_participant, open_socket
from support.debate import Debate
from support.redis import RedisServer
from support.server import Server, Site, describe, free_port, run_poll, worker_processes


def _state_is(statement: int, phase: str):
    return lambda f: (f.get("type") == "state" and (f.get("statement") or {}).get("id")
                      == statement and f.get("phase") == phase)


def _at(debate: Debate, site: Site, server: Server) -> Debate:
    """The debate's links as they are on `server` (`poll new` printed them on the site's)."""
    def moved(url: str | None) -> str | None:
        return None if url is None else url.replace(site.url, server.url, 1)

    return replace(debate, moderator_url=moved(debate.moderator_url),
                   screen_url=moved(debate.screen_url), join_url=moved(debate.join_url))


def _workers(site: Site, redis: RedisServer, n: int = 2) -> list[Server]:
    servers = [Server(site.db, free_port(), ["--pubsub", redis.url], site.directory)
               for _ in range(n)]
    site.servers.extend(servers)
    return [server.start() for server in servers]


async def test_a_vote_on_one_worker_reaches_the_other_and_a_close_on_it_refuses_the_next(
        tmp_path: Path, postgres_database: str, redis: RedisServer, moderator) -> None:
    site = Site(tmp_path, db=postgres_database)
    opened = []
    try:
        debate = site.new("Twee werkers", ["Eerste", "Tweede"], "en", "--visibility", "live")
        s1 = debate.sid(1)
        a, b = _workers(site, redis)
        assert f"pub/sub redis://127.0.0.1:{redis.port}" in a.stdout()
        mod_b = await moderator(b, _at(debate, site, b))
        await mod_b.show(s1, "open")  # on B: A's pages hear of it through Redis

        screen_b = await open_socket(b, _at(debate, site, b), "screen")
        mod_ws_a = await open_socket(a, debate, "moderator", cookie=mod_b.cookie_header())
        phones_a = [await open_socket(a, debate, "phone", new_participant()) for _ in range(5)]
        phone_b = await open_socket(b, debate, "phone", new_participant())
        opened += [screen_b, mod_ws_a, *phones_a, phone_b]
        for phone in phones_a:
            await phone.recv_until(_state_is(s1, "open"), what="voting open, on worker A")

        choices = ["agree", "agree", "disagree", "neutral", "agree"]
        acks = await asyncio.gather(*(p.cast(s1, c) for p, c in zip(phones_a, choices,
                                                                    strict=True)))
        assert [r["type"] for r in acks] == ["ack"] * 5, acks
        # the projector on B sees A's votes, counted on A
        await screen_b.recv_until(lambda f: tally_matches(f, s1, total=5,
                                                          counts=counts_of(choices)),
                                  what="A's five votes on B's projector")
        assert (await phone_b.cast(s1, "disagree"))["type"] == "ack"
        every = [*choices, "disagree"]
        # and the moderator's page on A sees B's, with every phone of both workers connected
        await mod_ws_a.recv_until(
            lambda f: tally_matches(f, s1, total=6, counts=counts_of(every), connected=6),
            what="six votes and six phones on A's moderator page")
        await screen_b.recv_until(lambda f: tally_matches(f, s1, total=6, connected=6),
                                  what="six phones on B's projector")

        # The moderator on B closes; a vote on A straight after is refused, whether A's room
        # heard of the close yet or the database turned the vote away.
        late = await open_socket(a, debate, "phone", new_participant())
        opened.append(late)
        await late.recv_type("state")
        await mod_b.control("close")
        refused = await late.cast(s1, "agree")
        assert refused["type"] == "error" and refused["code"] == "voting_closed", refused
        await late.recv_until(_state_is(s1, "closed"), what="the close, on worker A")
        again = await phones_a[0].cast(s1, "disagree")
        assert again["type"] == "error" and again["code"] == "voting_closed", again
    finally:
        await asyncio.gather(*(p.close() for p in opened), return_exceptions=True)
        site.close()

    exported = run_poll("export", debate.id, "--format", "votes-csv", "--db", postgres_database)
    assert exported.returncode == 0, describe(exported)
    assert sorted(r["choice"] for r in read_csv(exported.stdout)) == sorted(every)


async def test_after_redis_was_away_every_page_is_in_step_again(
        tmp_path: Path, postgres_database: str, redis: RedisServer, moderator) -> None:
    site = Site(tmp_path, db=postgres_database)
    opened = []
    try:
        debate = site.new("Redis weg", ["Eerste", "Tweede"], "en", "--visibility", "live")
        s1, s2 = debate.sid(1), debate.sid(2)
        a, b = _workers(site, redis)
        mod_b = await moderator(b, _at(debate, site, b))
        await mod_b.show(s1, "open")
        mod_ws_b = await open_socket(b, debate, "moderator", cookie=mod_b.cookie_header())
        phones_a = [await open_socket(a, debate, "phone", new_participant()) for _ in range(4)]
        opened += [mod_ws_b, *phones_a]
        for phone in phones_a:
            await phone.recv_until(_state_is(s1, "open"), what="voting open, on worker A")

        redis.stop()  # every message sent from now on is lost
        acks = await asyncio.gather(*(p.cast(s1, "agree") for p in phones_a))
        assert [r["type"] for r in acks] == ["ack"] * 4, acks  # the database has them
        redis.start()
        # B subscribes again, reads the room from the database, and its moderator sees A's votes
        await mod_ws_b.recv_until(lambda f: tally_matches(f, s1, total=4),
                                  what="the votes cast on A while Redis was away")

        redis.restart()  # and once more, this time with the moderator acting meanwhile
        redis.stop()
        await mod_b.show(s2, "open")
        redis.start()
        for phone in phones_a:
            await phone.recv_until(_state_is(s2, "open"),
                                   what="the next statement, opened on B while Redis was away")
        assert (await phones_a[0].cast(s2, "disagree"))["type"] == "ack"
        await mod_ws_b.recv_until(lambda f: tally_matches(f, s2, total=1),
                                  what="a vote on A after Redis came back")
    finally:
        await asyncio.gather(*(p.close() for p in opened), return_exceptions=True)
        site.close()


async def test_workers_share_one_port_and_a_killed_one_is_started_again(
        tmp_path: Path, postgres_database: str, redis: RedisServer, moderator) -> None:
    site = Site(tmp_path, db=postgres_database)
    opened = []
    try:
        debate = site.new("Vier handen", ["Eerste"], "en", "--visibility", "live")
        s1 = debate.sid(1)
        server = site.start("--pubsub", redis.url, "--workers", "2")
        assert "2 workers" in server.stdout()
        workers = worker_processes(server)
        assert len(workers) == 2, workers
        mod = await moderator(server, debate)
        await mod.show(s1, "open")
        # connections spread over both workers as the kernel hands them out
        phones = [await open_socket(server, debate, "phone", new_participant())
                  for _ in range(12)]
        mod_ws = await open_socket(server, debate, "moderator", cookie=mod.cookie_header())
        opened += [*phones, mod_ws]
        for phone in phones:
            await phone.recv_until(_state_is(s1, "open"), what="voting open")
        acks = await asyncio.gather(*(p.cast(s1, "agree") for p in phones))
        assert [r["type"] for r in acks] == ["ack"] * 12, acks
        await mod_ws.recv_until(lambda f: tally_matches(f, s1, total=12, connected=12),
                                what="every vote and phone, from both workers")
        for phone in phones:  # each phone's tally has the other worker's votes too
            await phone.recv_until(lambda f: tally_matches(f, s1, total=12),
                                   what="every vote on this phone")

        killed = workers[0]
        killed.kill()  # kill -9
        await asyncio.to_thread(killed.wait, 30)

        def started_again() -> bool:
            now = worker_processes(server)
            return len(now) == 2 and killed.pid not in {p.pid for p in now}

        for _ in range(600):
            if started_again():
                break
            await asyncio.sleep(0.1)
        assert started_again(), server.logs()
        # the server still takes new phones and votes; the count holds every vote stored
        newcomers = [await open_socket(server, debate, "phone", new_participant())
                     for _ in range(4)]
        opened += newcomers
        acks = await asyncio.gather(*(p.cast(s1, "disagree") for p in newcomers))
        assert [r["type"] for r in acks] == ["ack"] * 4, acks
        watcher = await open_socket(server, debate, "moderator", cookie=mod.cookie_header())
        opened.append(watcher)
        await watcher.recv_until(lambda f: tally_matches(f, s1, total=16),
                                 what="the twelve votes and the four after the kill")
    finally:
        await asyncio.gather(*(p.close() for p in opened), return_exceptions=True)
        site.close()


def test_workers_need_postgresql_and_redis(tmp_path: Path, postgres_database: str,
                                           redis: RedisServer) -> None:
    sqlite = str(tmp_path / "poll.db")
    port = str(free_port())
    on_sqlite = run_poll("serve", "--db", sqlite, "--port", port, "--workers", "2",
                         "--pubsub", redis.url)
    assert on_sqlite.returncode != 0, describe(on_sqlite)
    assert "needs a PostgreSQL database" in on_sqlite.stderr, describe(on_sqlite)
    redis_on_sqlite = run_poll("serve", "--db", sqlite, "--port", port, "--pubsub", redis.url)
    assert redis_on_sqlite.returncode != 0, describe(redis_on_sqlite)
    assert "with SQLite one process serves every page" in redis_on_sqlite.stderr
    no_redis = run_poll("serve", "--db", postgres_database, "--port", port, "--workers", "2")
    assert no_redis.returncode != 0, describe(no_redis)
    assert "needs --pubsub redis://" in no_redis.stderr, describe(no_redis)
    unknown = run_poll("serve", "--db", postgres_database, "--port", port,
                       "--pubsub", "kafka://x")
    assert unknown.returncode != 0 and "unknown pub/sub" in unknown.stderr, describe(unknown)
    gone = RedisServer(redis.binary)  # a port nobody listens on
    away = run_poll("serve", "--db", postgres_database, "--port", port, "--workers", "2",
                    "--pubsub", gone.url)
    assert away.returncode != 0, describe(away)
    assert f"cannot reach Redis at {gone.url}" in away.stderr, describe(away)


async def test_tallies_on_two_workers_equal_the_database_after_random_operations(
        postgres_database: str, redis: RedisServer) -> None:
    """DESIGN invariant 3 across workers: two hubs, as two `poll serve` processes have them, on
    one PostgreSQL database and one Redis. Random votes (repeats and changes of mind included) and
    moderator actions go to either; once the messages have arrived, both hubs' tallies equal a
    recount of the database, and so do their stages."""
    import random

    from poll.broadcast.redis import RedisPubSub
    from poll.config import Settings
    from poll.live import Hub, Refusal
    from poll.model import Action, Choice
    from poll.store import StoreError, store_at

    rng = random.Random(20261202)
    async with store_at(postgres_database) as store_a, store_at(postgres_database) as store_b:
        hubs = [Hub(store_a, RedisPubSub(redis.url), Settings()),
                Hub(store_b, RedisPubSub(redis.url), Settings())]
        for hub in hubs:
            await hub.start()
        try:
            debate, _ = await store_a.create_debate("Twee", "en", ["S1", "S2", "S3"])
            rooms = [await hub.get(debate.id) for hub in hubs]
            assert rooms[0] is not None and rooms[1] is not None
            statements = [s.id for s in rooms[0].debate.statements]
            for step in range(200):
                k = rng.randrange(2)
                hub, room = hubs[k], rooms[k]
                assert room is not None
                try:
                    if rng.random() < 0.15:
                        await hub.control(room, rng.choice([Action.OPEN, Action.CLOSE,
                                                            Action.NEXT, Action.PREV,
                                                            Action.REVEAL, Action.GOTO]),
                                          rng.choice(statements))
                    else:
                        await asyncio.gather(*(
                            hub.vote(room, f"p_{rng.randrange(10)}", rng.choice(statements),
                                     rng.choice([Choice.AGREE, Choice.NEUTRAL,
                                                 Choice.DISAGREE]), f"v{step}-{n % 2}")
                            for n in range(rng.randrange(1, 5))), return_exceptions=True)
                except (Refusal, StoreError):
                    pass
                if rng.random() < 0.1:
                    await asyncio.sleep(0.05)  # let some messages arrive mid-way, not all

            recount = {key: t.choices for key, t in (await store_a.tallies(debate.id)).items()}
            stage = (await store_a.debate(debate.id)).stage  # type: ignore[union-attr]

            def agrees(room) -> bool:  # type: ignore[no-untyped-def]
                live = {key: t.choices for key, t in room.tallies.items() if t.total}
                return live == recount and room.debate.stage == stage

            deadline = asyncio.get_running_loop().time() + 30
            while not all(agrees(r) for r in rooms):
                assert asyncio.get_running_loop().time() < deadline, (
                    "the workers' tallies never matched the database: "
                    f"{[sum(t.total for t in r.tallies.values()) for r in rooms]} against "
                    f"{sum(len(c) for c in recount.values())}")
                await asyncio.sleep(0.05)
            assert sum(len(c) for c in recount.values()) > 0  # votes were counted at all
        finally:
            for hub in hubs:
                await hub.stop()
