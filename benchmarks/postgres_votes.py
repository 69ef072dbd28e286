#!/usr/bin/env python
"""Vote commits per second through the store, on PostgreSQL beside SQLite (issue 15, point 1).

    python benchmarks/postgres_votes.py                  # 20,000 votes from 2,000 phones each
    python benchmarks/postgres_votes.py --votes 5000     # shorter
    python benchmarks/postgres_votes.py --db postgresql://user@host/empty_db   # your own server

No HTTP, no websockets: what the store alone takes. `--phones` concurrent voters each cast votes
one after the other (waiting for each acknowledgement, as a phone does), all recorded
`while_open` (checked against the debate's row in the insert), until `--votes` are in. Measured:
acknowledged votes per second, and the transactions the writer committed for them, so the size
of its batches shows. Without `--db` a throwaway cluster
is made with Debian's initdb and pg_ctl (tests/support/postgres.py), with PostgreSQL's default
durability (fsync on, synchronous_commit on); SQLite runs on a file in a temporary folder with the
store's own settings (WAL, synchronous=NORMAL). The results go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from poll.model import Choice, Phase, Stage, Vote  # noqa: E402
from poll.store import store_at  # noqa: E402

BATCHES = [0]  # transactions the writers committed (their commit, counted)


def count_batches() -> None:
    """Count every batch either backend's writer commits."""
    from poll.store.postgres import writer as postgres_writer
    from poll.store.sqlite import writer as sqlite_writer

    for module in (sqlite_writer, postgres_writer):
        commit = module.Writer.commit

        async def counted(self, batch, _commit=commit):  # type: ignore[no-untyped-def]
            BATCHES[0] += 1
            await _commit(self, batch)

        module.Writer.commit = counted  # type: ignore[method-assign]


async def run(url: str, phones: int, votes: int) -> dict[str, float]:
    async with store_at(url) as store:
        debate, _ = await store.create_debate("Benchmark", "en", ["One"])
        sid = debate.statements[0].id
        await store.save_stage(debate.id, Stage(sid, Phase.OPEN, False))
        each = votes // phones
        choices = list(Choice)[1:4]

        async def phone(n: int) -> None:
            for i in range(each):
                await store.record_vote(
                    Vote(debate.id, sid, f"p_{n}", choices[(n + i) % 3], f"v{i}"),
                    while_open=True)

        before = BATCHES[0]
        start = time.perf_counter()
        await asyncio.gather(*(phone(n) for n in range(phones)))
        seconds = time.perf_counter() - start
        batches = BATCHES[0] - before
        stored = len(await store.votes(debate.id))
    assert stored == each * phones, (stored, each * phones)
    return {"votes": stored, "seconds": seconds, "per_second": stored / seconds,
            "batches": batches}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--phones", type=int, default=2000)
    p.add_argument("--votes", type=int, default=20000)
    p.add_argument("--db", help="an empty PostgreSQL database (default: a throwaway cluster)")
    args = p.parse_args()
    count_batches()
    server = None
    url = args.db
    if url is None:
        from support.postgres import PostgresServer, postgres_bindir

        server = PostgresServer(postgres_bindir()).start()
        url = server.database()
    try:
        with tempfile.TemporaryDirectory() as folder:
            for name, target in (("sqlite", str(Path(folder) / "bench.db")),
                                 ("postgresql", url)):
                r = asyncio.run(run(target, args.phones, args.votes))
                print(f"{name:>10}: {r['votes']:.0f} votes from {args.phones} phones in "
                      f"{r['seconds']:.2f} s = {r['per_second']:,.0f} votes/s, "
                      f"{r['batches']:.0f} commits (about {r['votes'] / r['batches']:.0f} "
                      "votes each)")
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
