#!/usr/bin/env python
"""A few phones in a process of their own, timing their votes while the benchmark's thousands
of phones load the server (`benchmarks/voice.py --sentinels K`).

    python benchmarks/sentinel.py URL STATEMENT SECONDS [--phones K] [--every S] [--address A]

The benchmark's phones share two to four processes: when the server broadcasts a tally or a
reason list, each of those processes has thousands of frames to read, and an acknowledgement that
arrives meanwhile waits there, timed as if the server had been slow. A real phone reads only its
own frames. These phones do too: each changes its vote every `--every` seconds (staggered, within
the rate limit) and times vote -> ack in a process that has nothing else to do, so what they
measure is the server, the kernel and the network, as on a phone. Prints one JSON line: every
latency in ms, the (participant, choice) of every acknowledged vote, and what went wrong.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import time
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

CHOICES = ("agree", "disagree", "neutral")


async def phone(url: str, participant: str, statement: int, began: float, ends: float,
                every: float, offset: float, address: str | None,
                out: dict[str, Any]) -> None:
    kwargs: dict[str, Any] = {"local_addr": (address, 0)} if address else {}
    ws: ClientConnection = await connect(
        url, additional_headers={"Cookie": f"poll_participant={participant}"},
        compression=None, proxy=None, ping_interval=None, max_size=2**20, **kwargs)
    pending: dict[str, tuple[float, str]] = {}  # vote id -> sent, choice
    counted_as = [participant]  # the id the server counts this phone under (its welcome says)

    async def read() -> None:
        async for raw in ws:
            if not isinstance(raw, str) or not raw.startswith(('{"type":"ack"',
                                                               '{"type":"error"',
                                                               '{"type":"welcome"')):
                continue
            msg = json.loads(raw)
            if msg["type"] == "welcome":
                counted_as[0] = msg.get("participant") or participant
                continue
            found = pending.pop(str(msg.get("id")), None)
            if found is None:
                continue
            sent, choice = found
            if msg["type"] == "ack":
                out["latencies"].append(round((time.perf_counter() - sent) * 1000, 2))
                out["acked"].append((counted_as[0], choice))
            else:
                out["refused"].append(str(msg.get("code")))

    reader = asyncio.create_task(read())
    try:
        n = 0
        due = began + offset
        while due < ends:
            await asyncio.sleep(max(0.0, due - time.time()))
            vote_id = f"s-{participant[-6:]}-{n}"
            choice = CHOICES[n % len(CHOICES)]
            pending[vote_id] = (time.perf_counter(), choice)
            await ws.send(json.dumps({"type": "vote", "id": vote_id, "statement": statement,
                                      "choice": choice}, separators=(",", ":")))
            n += 1
            due += every
        deadline = time.time() + 10
        while pending and time.time() < deadline:
            await asyncio.sleep(0.05)
        out["unanswered"] += len(pending)
    finally:
        reader.cancel()
        await ws.close()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"latencies": [], "acked": [], "refused": [], "unanswered": 0,
                           "errors": []}
    began = time.time() + 1.0
    ends = began + args.seconds
    tag = secrets.token_hex(3)
    results = await asyncio.gather(*(
        phone(args.url, f"p_s{tag}x{k:04d}", args.statement, began, ends, args.every,
              args.every * k / args.phones, args.address, out)
        for k in range(args.phones)), return_exceptions=True)
    out["errors"] = [f"{type(r).__name__}: {r}"[:200] for r in results
                     if isinstance(r, BaseException)]
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("url")
    p.add_argument("statement", type=int)
    p.add_argument("seconds", type=float)
    p.add_argument("--phones", type=int, default=10)
    p.add_argument("--every", type=float, default=2.5,
                   help="seconds between one phone's votes (the limit is 20 per 10 s)")
    p.add_argument("--address", help="source address 127.0.0.x")
    p.add_argument("--realtime", action="store_true",
                   help="run under SCHED_FIFO (Linux, root) so the bench's other processes on "
                        "the same CPU never hold back this one's clock")
    args = p.parse_args()
    if args.realtime:
        # A phone has a CPU of its own; here the bench's thousands of phones share this one's.
        # Real-time priority lets it read its ack the moment it arrives, as a phone would. It
        # does little (a vote every few seconds per phone), so it takes nothing from the others.
        try:
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))
        except (AttributeError, OSError) as exc:
            print(f"sentinel: no real-time priority ({exc})", file=sys.stderr)
    print(json.dumps(asyncio.run(run(args))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
