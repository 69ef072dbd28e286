#!/usr/bin/env python
"""Redis messages the workers' peers protocol sends, per vote and per switch (issue 15, point 8).

    python benchmarks/redis_messages.py                  # 200 phones on 2 workers
    python benchmarks/redis_messages.py --phones 400 --workers 3

Real servers: a throwaway PostgreSQL cluster and redis-server (tests/support), `--workers`
separate `poll serve --pubsub redis://` processes on one database, `--phones` phone websockets
spread evenly over them, one projector on each. A listener subscribed to the channel counts every
message and its bytes, by kind, in three stretches:

- idle: nothing happens for `--idle` seconds (heartbeats only);
- burst: every phone votes once, all at the same moment (each waits for its ack);
- switch: the moderator moves to the next statement and opens voting (two actions);

Counted: messages published (each is delivered once to each of the other workers: deliveries
are messages x (workers - 1), plus the listener), their bytes, and the votes they carried. The
results go in docs/scaling.md ("Capacity").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import redis.asyncio as aioredis  # noqa: E402
from support.clients import Moderator, new_participant, open_socket  # noqa: E402
from support.postgres import PostgresServer, postgres_bindir  # noqa: E402
from support.redis import RedisServer, redis_server_binary  # noqa: E402
from support.server import Server, Site, free_port  # noqa: E402

CHOICES = ("agree", "neutral", "disagree")


class Listener:
    """Every message on the channel, counted by kind (messages, bytes, votes carried)."""

    def __init__(self, url: str) -> None:
        self.redis = aioredis.Redis.from_url(url)
        self.messages: Counter[str] = Counter()
        self.bytes: Counter[str] = Counter()
        self.votes = 0
        self.ready = asyncio.Event()

    async def run(self) -> None:
        async with self.redis.pubsub(ignore_subscribe_messages=True) as pubsub:
            await pubsub.subscribe("debate-poll")
            self.ready.set()
            while True:
                raw = await pubsub.get_message(timeout=None)
                if raw is None:
                    continue
                message = json.loads(raw["data"])
                kind = message.get("kind", "?")
                if kind == "changes" and "rooms" in message:
                    kind = "changes (room)"
                self.messages[kind] += 1
                self.bytes[kind] += len(raw["data"])
                self.votes += len(message.get("votes", ()))

    def mark(self) -> tuple[Counter[str], Counter[str], int]:
        return Counter(self.messages), Counter(self.bytes), self.votes


def since(listener: Listener, mark: tuple[Counter[str], Counter[str], int]) -> dict[str, object]:
    messages, sizes, votes = listener.mark()
    return {"messages": dict(messages - mark[0]), "bytes": dict(sizes - mark[1]),
            "votes": votes - mark[2]}


async def measure(phones: int, workers: int, idle: float) -> dict[str, dict[str, object]]:
    postgres = PostgresServer(postgres_bindir()).start()
    redis = RedisServer(redis_server_binary()).start()
    folder = Path(postgres.root) / "site"
    folder.mkdir()
    site = Site(folder, db=postgres.database())
    opened = []
    listening: asyncio.Task[None] | None = None
    try:
        debate = site.new("Berichten", ["Eerste", "Tweede"], "en", "--visibility", "live")
        s1, s2 = debate.sid(1), debate.sid(2)
        servers = [Server(site.db, site.port if n == 0 else free_port(),
                          ["--pubsub", redis.url], site.directory).start()
                   for n in range(workers)]
        site.servers += servers
        listener = Listener(redis.url)
        listening = asyncio.create_task(listener.run())
        await listener.ready.wait()
        mod = await Moderator(servers[0], debate).sign_in()
        await mod.show(s1, "open")
        for server in servers:
            opened.append(await open_socket(server, debate, "screen"))
        sockets = [await open_socket(servers[n % workers], debate, "phone", new_participant())
                   for n in range(phones)]
        opened += sockets
        for phone in sockets:
            await phone.recv_type("state")
        await asyncio.sleep(2)  # heartbeats settle

        results: dict[str, dict[str, object]] = {}
        mark = listener.mark()
        await asyncio.sleep(idle)
        results["idle"] = {**since(listener, mark), "seconds": idle}

        mark = listener.mark()
        start = time.perf_counter()
        acks = await asyncio.gather(*(p.cast(s1, CHOICES[n % 3])
                                      for n, p in enumerate(sockets)))
        took = time.perf_counter() - start
        assert all(a["type"] == "ack" for a in acks), acks
        await asyncio.sleep(0.5)  # the last 10 ms gathering goes out
        results["burst"] = {**since(listener, mark), "seconds": round(took, 2),
                            "votes cast": phones}

        mark = listener.mark()
        await mod.show(s2, "open")
        await asyncio.sleep(0.5)
        results["switch"] = {**since(listener, mark), "actions": 2}
        return results
    finally:
        if listening is not None:
            listening.cancel()
        await asyncio.gather(*(p.close() for p in opened), return_exceptions=True)
        site.close()
        redis.close()
        postgres.stop()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--phones", type=int, default=200)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--idle", type=float, default=5.0)
    args = p.parse_args()
    results = asyncio.run(measure(args.phones, args.workers, args.idle))
    print(f"{args.phones} phones on {args.workers} workers")
    for stretch, figures in results.items():
        print(f"  {stretch}: {json.dumps(figures)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
