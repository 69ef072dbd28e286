#!/usr/bin/env python
"""What one connected phone costs the server in memory, and where that memory sits.

    python benchmarks/per_phone.py                     # 3,000 phones, RSS and object census
    python benchmarks/per_phone.py --tracemalloc       # also the allocating lines (slower)
    python benchmarks/per_phone.py --server-ref HEAD~3 # the server from `git archive REF`

It starts `poll serve` on a fresh database, connects 20 phones and closes them (so one-off
allocations are made), takes a snapshot, connects N phones (one 127.0.0.x address per 1,000, in
this process), waits until each has its `state`, and takes a second snapshot. The difference
divided by N is printed: RSS, the objects the collector tracks (frozen ones included) by type,
and with --tracemalloc the source lines that allocated what is still alive.

Faster and more precise than `load.py` for this one question; `load.py` measures the server RSS
against the bare baseline. The server runs with this file as its entry point (`--serve`), so the
snapshots are taken inside it (SIGUSR1).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


# -- inside the server ---------------------------------------------------------------------------

def _serve(out: str, argv: list[str]) -> int:
    if os.environ.get("PER_PHONE_TRACEMALLOC"):
        tracemalloc.start(1)
    first: list[tracemalloc.Snapshot] = []

    def snapshot(signum: int, frame: object) -> None:
        # The server freezes its connections (poll/ws/gc_policy.py); get_objects() skips frozen
        # ones.
        frozen = gc.get_freeze_count()
        gc.unfreeze()
        counts: Counter[str] = Counter()
        sizes: Counter[str] = Counter()
        for obj in gc.get_objects():
            kind = type(obj)
            name = (kind.__qualname__ if kind.__module__ == "builtins"
                    else f"{kind.__module__}.{kind.__qualname__}")
            counts[name] += 1
            sizes[name] += sys.getsizeof(obj)
        if frozen:
            gc.freeze()
        record: dict[str, Any] = {"rss": _rss(), "types": {k: [counts[k], sizes[k]]
                                                           for k in counts}}
        if tracemalloc.is_tracing():
            snap = tracemalloc.take_snapshot()
            if first:
                record["lines"] = [(d.size_diff, d.count_diff, str(d.traceback[0]))
                                   for d in snap.compare_to(first[0], "lineno")[:60]]
            else:
                first.append(snap)
        with open(out, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")

    signal.signal(signal.SIGUSR1, snapshot)
    from poll.cli import main
    return main(argv)


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# -- the driver --------------------------------------------------------------------------------

def _server_root(ref: str | None, tmp: Path) -> Path:
    if ref is None:
        return ROOT
    root = tmp / "server"
    root.mkdir()
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive.stdout, check=True)
    return root


async def _measure(args: argparse.Namespace) -> None:
    from websockets.asyncio.client import connect

    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    tmp = Path(tempfile.mkdtemp(prefix="per-phone-"))
    root = _server_root(args.server_ref, tmp)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLL_")}
    env["PYTHONPATH"] = str(root)
    if args.tracemalloc:
        env["PER_PHONE_TRACEMALLOC"] = "1"
    (tmp / "statements.txt").write_text("A statement about as long as a real one, give or take"
                                        "\nAnother one\n", "utf-8")
    db = str(tmp / "bench.db")
    made = subprocess.run([sys.executable, "-m", "poll", "new", "Bench", "--statements",
                           str(tmp / "statements.txt"), "--db", db, "--json", "--lang", "en"],
                          capture_output=True, text=True, env=env, cwd=root, check=True)
    # phones connect by join code (`/j/CODE/ws`)
    url = f"ws://127.0.0.1:{port}/j/{json.loads(made.stdout)['join_code']}/ws"
    out = tmp / "snapshots.jsonl"
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(out), "serve", "--host", "127.0.0.1",
         "--port", str(port), "--db", db, "--public-url", base],
        env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                await asyncio.sleep(0.2)
        warm = [await connect(url, compression=None, ping_interval=None) for _ in range(20)]
        for ws in warm:
            await ws.close()
        await asyncio.sleep(1)
        before = await _snapshot(server, out)

        ready = asyncio.Event()
        waiting = args.phones
        gate = asyncio.Semaphore(200)
        phones = []

        async def phone(i: int) -> None:
            nonlocal waiting
            async with gate:
                ws = await connect(url, compression=None, ping_interval=None, open_timeout=60,
                                   local_addr=(f"127.0.0.{40 + i // 1000}", 0),
                                   additional_headers={"Cookie": f"poll_participant=p_{i:012d}"})
            phones.append(ws)
            async for raw in ws:
                if json.loads(raw)["type"] == "state":
                    waiting -= 1
                    if waiting == 0:
                        ready.set()

        started = time.perf_counter()
        tasks = [asyncio.create_task(phone(i)) for i in range(args.phones)]
        await asyncio.wait_for(ready.wait(), 300)
        took = time.perf_counter() - started
        await asyncio.sleep(1.5)
        after = await _snapshot(server, out)
        _report(args, before, after, took)
        for task in tasks:
            task.cancel()
    finally:
        server.kill()
        server.wait()


async def _snapshot(server: subprocess.Popen[bytes], out: Path) -> dict[str, Any]:
    seen = len(out.read_text().splitlines()) if out.exists() else 0
    server.send_signal(signal.SIGUSR1)
    while not out.exists() or len(out.read_text().splitlines()) == seen:
        await asyncio.sleep(0.1)
    return json.loads(out.read_text().splitlines()[-1])


def _report(args: argparse.Namespace, before: dict[str, Any], after: dict[str, Any],
            took: float) -> None:
    n = args.phones
    objects = sum(c for c, _ in after["types"].values()) - sum(
        c for c, _ in before["types"].values())
    print(f"{n} phones connected in {took:.1f} s; server RSS {before['rss'] / 2**20:.0f} -> "
          f"{after['rss'] / 2**20:.0f} MB: {(after['rss'] - before['rss']) / n / 1024:.1f} KB "
          f"and {objects / n:.0f} tracked objects per phone")
    rows = []
    for name, (count, size) in after["types"].items():
        count0, size0 = before["types"].get(name, (0, 0))
        rows.append(((size - size0) / n, (count - count0) / n, name))
    print("\nper phone, by type (shallow bytes, objects):")
    for size, count, name in sorted(rows, reverse=True)[:args.top]:
        if count >= 0.05:
            print(f"  {size:7.0f} B {count:6.2f}  {name}")
    if "lines" in after:
        print("\nper phone, by allocating line (tracemalloc, bytes still alive, blocks):")
        for size, count, line in after["lines"][:args.top]:
            print(f"  {size / n:7.0f} B {count / n:6.2f}  {line.split('site-packages/')[-1]}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve"]:
        return _serve(argv[1], argv[2:])
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--phones", type=int, default=3000)
    p.add_argument("--tracemalloc", action="store_true",
                   help="trace allocations in the server (slower; RSS then includes the traces)")
    p.add_argument("--server-ref", metavar="REF", help="run the server from `git archive REF`")
    p.add_argument("--top", type=int, default=25, help="rows per table (default 25)")
    asyncio.run(_measure(p.parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
