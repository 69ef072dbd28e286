#!/usr/bin/env python
"""What one worker's re-read of a room costs on PostgreSQL as the debate's votes grow (issue 15,
point 8): the read every other worker does after a moderator's action ("room" message,
poll.live.peers) or a resync.

    python benchmarks/postgres_reload.py                       # 10,000 and 100,000 votes
    python benchmarks/postgres_reload.py --votes 10000 200000

A throwaway cluster (tests/support/postgres.py); the votes are COPYed in (10 statements, one vote
per phone per statement), then `Rooms.reload` runs `--repeat` times; the median is printed. The
results go in docs/scaling.md ("Capacity").
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import asyncpg  # noqa: E402
from support.postgres import PostgresServer, postgres_bindir  # noqa: E402

from poll.live.rooms import Rooms  # noqa: E402
from poll.store import store_at  # noqa: E402

STATEMENTS = 10


async def measure(url: str, votes: int, repeat: int) -> float:
    async with store_at(url) as store:
        debate, _ = await store.create_debate("Herlezen", "en",
                                              [f"Stelling {n}" for n in range(STATEMENTS)])
        phones = votes // STATEMENTS
        conn = await asyncpg.connect(url)
        try:
            await conn.copy_records_to_table(
                "votes", columns=["debate_id", "statement_id", "participant", "client_id",
                                  "choice", "cast_at", "round"],
                records=[(debate.id, s.id, f"p_{n}", f"v{s.id}", ("agree", "neutral",
                          "disagree")[(n + s.id) % 3], "2026-01-01T00:00:00", 1)
                         for s in debate.statements for n in range(phones)])
            await conn.execute("ANALYZE votes")
        finally:
            await conn.close()
        rooms = Rooms(store, lambda room: None)
        room = await rooms.get(debate.id)
        assert room is not None
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            await rooms.reload(room)
            times.append(time.perf_counter() - start)
        return statistics.median(times)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--votes", type=int, nargs="+", default=[10_000, 100_000])
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    server = PostgresServer(postgres_bindir()).start()
    try:
        for votes in args.votes:
            seconds = asyncio.run(measure(server.database(), votes, args.repeat))
            print(f"{votes:>9,} votes: one room re-read in {seconds * 1000:,.0f} ms "
                  f"(median of {args.repeat})")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
