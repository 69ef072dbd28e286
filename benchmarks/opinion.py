"""How long the opinion map takes, and how much memory its worker holds.

    .venv/bin/python benchmarks/opinion.py [participants ...]

For each size (default 1,000, 3,000, 10,000 and 20,000 participants x 30 statements, three
planted groups, 20 % noise) it computes the map through the real `OpinionWorker` (a spawned
process: the time includes sending the ballots and the previous map there and the result back)
twice -- the second time with the first result as the previous map, as the live recomputation
does -- and prints the time in the worker, the time seen by the caller, and the worker's
resident memory. Results: docs/performance.md, "The opinion map".
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support.planted import planted

from poll.opinion.worker import OpinionWorker

SIZES = (1000, 3000, 10000, 20000)
STATEMENTS = 30


async def main(sizes: tuple[int, ...]) -> None:
    worker = OpinionWorker()
    try:
        print(f"worker memory before any map: {await worker.memory() / 2**20:.0f} MiB")
        print("participants  groups  worker s  caller s  again s  worker MiB")
        for n in sizes:
            ballots, _ = planted(3, n // 3, STATEMENTS, noise=0.2)
            started = time.perf_counter()
            first = await worker.compute(ballots)
            caller = time.perf_counter() - started
            started = time.perf_counter()
            await worker.compute(ballots, first)
            again = time.perf_counter() - started
            memory = await worker.memory() / 2**20
            print(f"{n:>12,}  {len(first.groups):>6}  {first.seconds:>8.2f}  {caller:>8.2f}"
                  f"  {again:>7.2f}  {memory:>10.0f}")
    finally:
        await worker.stop()


if __name__ == "__main__":
    asyncio.run(main(tuple(int(a) for a in sys.argv[1:]) or SIZES))
