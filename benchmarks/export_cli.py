"""How long `poll export` takes for each format, on the demo's finished example (90 people,
six statements: the map has three groups).

    .venv/bin/python benchmarks/export_cli.py [--runs N] [--tree DIR] [format ...]

Each run is a fresh `python -m poll export` process (as a user types it), so the time includes
starting Python and importing what the format needs: for `json`, `polis` and `xlsx` that is
numpy and scikit-learn, which the opinion map needs. Prints per format the median wall time and
the median CPU time of the process and its children (a worker process, if one is started).
`--tree DIR` runs the package found in DIR (another checkout) instead of this one, to compare
before and after a change with the same interpreter. Results: docs/performance.md, "poll export".
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from poll.demo_debate import ensure_example
from poll.store import store_at

FORMATS = ("csv", "json", "polis", "xlsx")


async def example(db: Path) -> str:
    async with store_at(str(db)) as store:
        return (await ensure_example(store)).id


def one_run(debate_id: str, fmt: str, db: Path, out: Path,
            env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children) of one export."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "poll", "export", debate_id, "--format", fmt,
                    "--db", str(db), "--out", str(out)], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tree", help="a checkout whose poll package to run")
    parser.add_argument("formats", nargs="*", default=list(FORMATS))
    args = parser.parse_args()
    env = dict(os.environ)
    if args.tree:
        env["PYTHONPATH"] = str(Path(args.tree).resolve())
    with tempfile.TemporaryDirectory() as folder:
        db, out = Path(folder) / "poll.db", Path(folder) / "export"
        debate_id = asyncio.run(example(db))
        print(f"load average at start: {os.getloadavg()[0]:.1f}")
        print("format   wall s (median)   cpu s (median)   runs")
        for fmt in args.formats:
            runs = [one_run(debate_id, fmt, db, out, env) for _ in range(args.runs)]
            print(f"{fmt:<8} {statistics.median(w for w, _ in runs):>15.2f}"
                  f" {statistics.median(c for _, c in runs):>16.2f}   {args.runs}")
        print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
