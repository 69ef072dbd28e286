#!/usr/bin/env python
"""What the live opinion map costs the votes (issue 13, point 3): vote->ack while the map is
recomputed in the background, against the same run with no map at all.

    python benchmarks/map_live.py                 # 2,000 phones, three runs of each, alternating
    python benchmarks/map_live.py --phones 5000 --runs 1 --out benchmarks/results/map.json
    python benchmarks/map_live.py --quick         # 200 phones, one run each: a smoke test

Each run is one real `poll serve` on a fresh SQLite file, started as `benchmarks/load.py`
starts it (its pieces are imported), with a moderator socket open and N phones connected. The
phones first answer `--warm` statements (short bursts), so every one of them can be placed on
the map, then `--measured` statements, each a vote burst of every phone spread over `--window`
seconds. Phone i answers every statement the same way (agree, neutral or disagree by i mod 3),
so the map finds three groups and runs its whole pipeline (PCA, k-means for 2 to 5 groups,
silhouettes, the groups' statements) on every recomputation.

"map on" serves with `--map-interval` (default 1 s: five times as often as the default, so a
burst meets several recomputations); "map off" serves with an interval longer than the run, so
no map is ever computed. With `--projector`, in both, the moderator puts the map on the
projector for each measured statement, so with the map on the projector gets it and every phone
its line ("you are in group B with ..."), pushed when it changes. The runs alternate (off, on,
off, on, ...) so a machine that gets busier meanwhile weighs on both. The goal: vote->ack p99
with the map within 10 % of without. The moderator's `opinion` frames are counted: a run "on"
that got none measured nothing.

The bench's phones share a few processes, which also read every phone's line while the map is
on the projector; an acknowledgement that arrives meanwhile waits there. So `--sentinels` phones
(default 20) in a process of their own (`benchmarks/sentinel.py`) vote through each measured
burst and time vote->ack as a phone would: their p99, off against on, is the server's part.
They run under SCHED_FIFO where they may (root, Linux): a phone has a CPU of its own, and the
bench's other processes on theirs must not delay their clock (`--plain-sentinels`: not so).

Beside each run's p99 and the mean of the runs, every measured vote of a kind is pooled and the
ratio of the pooled p99s comes with a 95 % interval, from a bootstrap over the bursts: one run's
p99 is the tenth slowest of a thousand votes and spreads by a millisecond, wider than the goal.

With `--pin`, the server and its opinion worker run on the first CPU and the bench (phones,
sentinels) on the others, as at a venue, where the phones are not on the server's machine: what
is left of the difference between off and on is then the server's alone.

Exit status 1 only for functional failures (lost or refused votes, stored votes that differ from
the acknowledged ones, a run "on" with no map); timing is never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import load  # noqa: E402
from load import Bench, Screen, mb, percentiles  # noqa: E402

OFF = 10 ** 6  # seconds: an interval no run reaches


class Moderator(Screen):
    """The moderator's socket: counts `opinion` frames that carry a map."""

    def __init__(self) -> None:
        super().__init__()
        self.maps = 0
        self.last_map: dict[str, Any] | None = None

    async def _read(self) -> None:
        async for raw in self.ws:
            msg = json.loads(raw)
            if msg.get("type") == "opinion" and msg.get("ready"):
                self.maps += 1
                self.last_map = msg
            elif msg.get("type") == "tally":
                self.tallies.append((time.time(), msg))
                self._event.set()


class MapBench(Bench):
    def __init__(self, args: argparse.Namespace, interval: float, label: str) -> None:
        super().__init__(args)
        self.interval = interval
        self.label = label  # which run this is ("2-on"): the probe's folder
        self.serve_args = ["--map-interval", str(interval)]

    def start_poll(self, probe: Path | None = None) -> load.PollServer:
        """As load.Bench starts it; with --pin, on the server's CPUs (the process inherits the
        starting thread's affinity, and the opinion worker the server's)."""
        if probe is None and self.args.probe:
            probe = Path(self.args.probe).resolve() / self.label
        if not self.args.pin:
            return super().start_poll(probe)
        mine = os.sched_getaffinity(0)
        os.sched_setaffinity(0, self.args.server_cpus)
        try:
            return super().start_poll(probe)
        finally:
            os.sched_setaffinity(0, mine)

    async def run_poll(self) -> dict[str, Any]:
        args = self.args
        poll = self.start_poll()
        server, http, debate = poll.server, poll.http, poll.debate
        statements = [s["id"] for s in debate["statements"]]
        moderator = Moderator()
        result: dict[str, Any] = {"map_interval_s": self.interval}
        try:
            await self._wait_health(http, server)
            await poll.sign_in()
            await moderator.start(f"ws://127.0.0.1:{poll.port}/ws/{poll.id}/moderator",
                                  poll.cookie())
            phone_path = await self._phone_socket_path(http, debate)
            result["connect"] = await self.connect_phones(
                f"ws://127.0.0.1:{poll.port}{phone_path}", server, first_addr=40)
            idle = await self._idle(server)
            bursts = []
            for k, statement in enumerate(statements[:args.warm + args.measured]):
                if k:
                    t0, _, _ = await poll.control("next")
                    await self.wait_phones(f"next {k}", {"statement": statement}, t0)
                t0, _, _ = await poll.control("open")
                await self.wait_phones(f"open {k}", {"statement": statement,
                                                     "phase": "open"}, t0)
                measured = k >= args.warm
                if measured and args.projector:  # phones get their lines pushed too
                    await poll.post("map", {"show": "1"})
                self.args.window = args.burst_window if measured else args.warm_window
                maps_before = moderator.maps
                # phones in a process of their own, timing votes as a phone would: the bench's
                # own processes also read every phone's line, which a real phone does not
                sentinel = None if not (measured and args.sentinels) else subprocess.Popen(
                    [sys.executable, str(HERE / "sentinel.py"),
                     f"ws://127.0.0.1:{poll.port}{phone_path}", str(statement),
                     str(args.burst_window), "--phones", str(args.sentinels),
                     # at most three votes each, one of each choice: none repeats a stored one
                     "--every", str(max(1.0, args.burst_window / 2.5)),
                     "--address", "127.0.0.250",
                     *(() if args.plain_sentinels else ("--realtime",))],
                    stdout=subprocess.PIPE, text=True)
                self.extra_voters = 0 if sentinel is None else args.sentinels
                burst = await self._vote_burst(server, moderator, statement,
                                               idle["server_cpu_pct"])
                acked = burst.pop("_acked")
                if sentinel is not None:
                    stdout, _ = await asyncio.to_thread(sentinel.communicate, timeout=60)
                    timed = json.loads(stdout.strip().splitlines()[-1])
                    burst["_sentinel"] = [x / 1000 for x in timed["latencies"]]
                    acked += [tuple(v) for v in timed["acked"]]
                    if timed["unanswered"] or timed["refused"] or timed["errors"]:
                        self.problems.add(f"sentinel phones: {timed['unanswered']} unanswered, "
                                          f"refused {timed['refused']}, {timed['errors'][:2]}")
                await poll.control("close")
                if measured:
                    burst["maps_during"] = moderator.maps - maps_before
                    burst["export"] = await self._check_export(http, poll.id, statement, acked)
                    bursts.append(burst)
            result["bursts"] = bursts
            result["maps"] = moderator.maps
            result["placed"] = (moderator.last_map or {}).get("placed")
            result["groups"] = len((moderator.last_map or {}).get("groups", []))
            result["rss_mb"] = mb(server.rss())
            result["phones_end"] = await self.close_phones(f"map {self.interval}")
            await moderator.close()
        finally:
            await self.stop_poll(poll)
        if self.interval < OFF and not result.get("maps"):
            self.problems.add("map on: the moderator never got a map")
        return result

    async def run(self) -> dict[str, Any]:
        return {"poll": await self.run_poll(), "problems": list(self.problems)}


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per kind (off, on): each run's vote->ack p50 / p99 (all its measured bursts pooled), the
    mean of the runs, and the ratio on / off of the mean p99."""
    out: dict[str, Any] = {}
    for kind in ("off", "on"):
        mine = [r for r in runs if r["kind"] == kind]
        per = [{"p50": r["ack"]["p50"], "p99": r["ack"]["p99"], "max": r["ack"]["max"],
                "cpu_us_per_vote": r["cpu_us_per_vote"], "maps": r["maps"],
                "load_before": r["load_before"]} for r in mine]
        out[kind] = {"runs": per,
                     "p99_mean": round(statistics.fmean(p["p99"] for p in per), 1),
                     "p50_mean": round(statistics.fmean(p["p50"] for p in per), 1),
                     "cpu_us_per_vote_mean": round(statistics.fmean(
                         p["cpu_us_per_vote"] for p in per), 1)}
    out["p99_ratio"] = round(out["on"]["p99_mean"] / out["off"]["p99_mean"], 3)
    out["goal_met"] = out["p99_ratio"] <= 1.10
    timed = {kind: [r["sentinel"]["p99"] for r in runs if r["kind"] == kind and r["sentinel"]]
             for kind in ("off", "on")}
    if timed["off"] and timed["on"]:
        out["sentinel"] = {kind: {"p99s": timed[kind],
                                  "p99_mean": round(statistics.fmean(timed[kind]), 1)}
                           for kind in ("off", "on")}
        out["sentinel"]["p99_ratio"] = round(
            out["sentinel"]["on"]["p99_mean"] / out["sentinel"]["off"]["p99_mean"], 3)
    out["pooled"] = {who: pooled_ratio([b for r in runs if r["kind"] == "off"
                                        for b in r["_blocks"][who]],
                                       [b for r in runs if r["kind"] == "on"
                                        for b in r["_blocks"][who]])
                     for who in ("phones", "sentinels")}
    return out


def p99(values: list[float]) -> float:
    """The nearest-rank 99th percentile of `values` (in their unit)."""
    s = sorted(values)
    return s[max(0, math.ceil(0.99 * len(s)) - 1)]


def pooled_ratio(off: list[list[float]], on: list[list[float]], resamples: int = 1000,
                 ) -> dict[str, Any] | None:
    """p99 of every vote of a kind pooled (each list: one burst's latencies in seconds), the
    ratio on / off, and its 95 % interval by a bootstrap over bursts: a burst is resampled
    whole, since the votes of one burst share its stalls (a p99 of one run is the tenth
    slowest of a thousand votes, and moves by a millisecond from run to run)."""
    off, on = [b for b in off if b], [b for b in on if b]
    if not off or not on:
        return None
    rng = random.Random(13)  # the same data gives the same interval

    def resampled(blocks: list[list[float]]) -> float:
        return p99([x for b in rng.choices(blocks, k=len(blocks)) for x in b])

    ratios = sorted(resampled(on) / resampled(off) for _ in range(resamples))
    low, high = ratios[int(0.025 * resamples)], ratios[int(0.975 * resamples) - 1]
    p_off, p_on = p99([x for b in off for x in b]), p99([x for b in on for x in b])
    return {"bursts": [len(off), len(on)], "votes": [sum(map(len, off)), sum(map(len, on))],
            "p99_off_ms": round(p_off * 1000, 2), "p99_on_ms": round(p_on * 1000, 2),
            "ratio": round(p_on / p_off, 3), "ci95": [round(low, 3), round(high, 3)]}


def one_run(args: argparse.Namespace, kind: str, label: str) -> dict[str, Any]:
    interval = args.interval if kind == "on" else OFF
    load_before = round(os.getloadavg()[0], 2)
    bench = MapBench(args, interval, label)
    try:
        got = asyncio.run(bench.run())
    finally:
        bench.close()
    bursts = got["poll"].get("bursts", [])
    # pooled percentiles of the measured bursts: recompute from the bursts' own samples
    blocks = {"phones": [b.pop("_latencies", []) for b in bursts],
              "sentinels": [b.pop("_sentinel", []) for b in bursts]}
    lat = [x for block in blocks["phones"] for x in block]
    timed = [x for block in blocks["sentinels"] for x in block]
    votes = sum(b["acked"] for b in bursts)
    cpu = sum(b["server_cpu_s"] for b in bursts)
    return {"kind": kind, "interval_s": interval, "load_before": load_before,
            "ack": percentiles(lat) if lat else {"p50": None, "p99": None, "max": None},
            "sentinel": percentiles(timed) if timed else None,
            "bursts": bursts, "maps": got["poll"].get("maps"),
            "placed": got["poll"].get("placed"), "groups": got["poll"].get("groups"),
            "cpu_us_per_vote": round(cpu / max(1, votes) * 1e6, 1),
            "problems": got["problems"], "_blocks": blocks}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--phones", type=int, help="number of phones (default 2000; --quick: 200)")
    p.add_argument("--quick", action="store_true", help="smoke test: 200 phones, one run each")
    p.add_argument("--runs", type=int, help="runs of each kind (default 3; --quick: 1)")
    p.add_argument("--interval", type=float, default=1.0,
                   help="--map-interval of the runs with the map (default 1 s)")
    p.add_argument("--warm", type=int, default=6,
                   help="statements answered before measuring (default 6: enough to be placed)")
    p.add_argument("--measured", type=int, default=4, help="statements measured (default 4)")
    p.add_argument("--warm-window", type=float, default=1.0)
    p.add_argument("--burst-window", type=float, default=5.0,
                   help="seconds over which each measured burst is spread (default 5)")
    p.add_argument("--server-ref", metavar="REF",
                   help="run the server from `git archive REF` (as load.py does)")
    p.add_argument("--only", choices=("off", "on"), help="run only this kind (with --profile)")
    p.add_argument("--projector", action="store_true",
                   help="the moderator puts the map on the projector for each measured statement "
                        "(in both kinds of run), so phones get their lines pushed too")
    p.add_argument("--profile", action="store_true",
                   help="py-spy the server in each measured burst (files beside --out)")
    p.add_argument("--sentinels", type=int, default=20,
                   help="phones in a process of their own timing votes in each measured burst "
                        "(benchmarks/sentinel.py; 0: none)")
    p.add_argument("--plain-sentinels", action="store_true",
                   help="the sentinels at the normal priority (default: SCHED_FIFO, so the "
                        "bench's own phones on the same CPU never delay their clock)")
    p.add_argument("--probe", metavar="DIR",
                   help="run the server under benchmarks/gc_probe.py, its files in DIR/RUN-KIND "
                        "(GC pauses, steps of the event loop over 1 ms)")
    p.add_argument("--pin", action="store_true",
                   help="the server and its opinion worker on the first CPU, the bench on the "
                        "others (needs two CPUs)")
    p.add_argument("--out", default=str(HERE / "results" / "map_live.json"))
    args = p.parse_args(argv)
    if args.phones is None:
        args.phones = 200 if args.quick else 2000
    if args.runs is None:
        args.runs = 1 if args.quick else 3
    # what load.Bench reads of its arguments: load.py's defaults for this many phones
    # one source address per 250 phones: bursts every few seconds stay inside the per-address
    # vote limit (5,000 in 10 s) as a venue's NAT would
    args.addresses = max(2, min(25, -(-args.phones // 250)))
    for key, value in vars(load.parse_args(["--phones", str(args.phones), "--skip-bare"])).items():
        if not hasattr(args, key):
            setattr(args, key, value)
    args.window = args.warm_window
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load.phone_workers.raise_nofile_limit()
    if args.pin:
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            print("--pin needs two CPUs", file=sys.stderr)
            return 2
        args.server_cpus = {cpus[0]}
        os.sched_setaffinity(0, set(cpus[1:]))  # the phones' processes inherit it
        print(f"server on CPU {cpus[0]}, bench on CPU {', '.join(map(str, cpus[1:]))}")
    runs = []
    for n in range(args.runs):
        for kind in (args.only,) if args.only else ("off", "on"):
            print(f"run {n + 1}, map {kind}: {args.phones} phones", flush=True)
            runs.append(one_run(args, kind, f"{n + 1}-{kind}"))
            r = runs[-1]
            print(f"  vote->ack p50 {r['ack']['p50']} ms, p99 {r['ack']['p99']} ms, "
                  f"{r['maps']} maps, CPU {r['cpu_us_per_vote']} us per vote", flush=True)
            if r["sentinel"]:
                print(f"  sentinel phones: vote->ack p50 {r['sentinel']['p50']} ms, "
                      f"p99 {r['sentinel']['p99']} ms ({r['sentinel']['n']} votes)", flush=True)
    out = {"meta": {"phones": args.phones, "server_ref": args.server_ref, "runs": args.runs,
                    "projector": args.projector, "pin": args.pin,
                    "interval_s": args.interval,
                    "warm": args.warm, "measured": args.measured,
                    "burst_window_s": args.burst_window,
                    "git": load.git_describe(), "cpus": os.cpu_count()},
           "runs": runs, "summary": summary(runs) if not args.only else None}
    s = out["summary"]
    if s is not None:
        print(f"\nvote->ack p99, mean of {args.runs} runs: off {s['off']['p99_mean']} ms, "
              f"on {s['on']['p99_mean']} ms, ratio {s['p99_ratio']} "
              f"(goal <= 1.10: {'met' if s['goal_met'] else 'NOT met'})")
    if s is not None and "sentinel" in s:
        t = s["sentinel"]
        print(f"sentinel phones' vote->ack p99, mean of {args.runs} runs: off "
              f"{t['off']['p99_mean']} ms, on {t['on']['p99_mean']} ms, ratio {t['p99_ratio']}")
    for who, label in (("phones", "bench's phones"), ("sentinels", "sentinel phones")):
        pooled = (s or {}).get("pooled", {}).get(who)
        if pooled:
            print(f"{label}, every measured vote pooled: p99 off {pooled['p99_off_ms']} ms, "
                  f"on {pooled['p99_on_ms']} ms, ratio {pooled['ratio']} (95 % interval "
                  f"{pooled['ci95'][0]}-{pooled['ci95'][1]}, bootstrap over "
                  f"{pooled['bursts'][0]} + {pooled['bursts'][1]} bursts)")
    for r in runs:
        r.pop("_blocks", None)
    path = Path(args.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n", "utf-8")
    print(f"results written to {path}")
    problems = [p for r in runs for p in r["problems"]]
    for p in problems:
        print("problem:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
