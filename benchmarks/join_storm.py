#!/usr/bin/env python
"""A joining storm (issue 14, point 5): thousands of phones scan the QR code within seconds.

    python benchmarks/join_storm.py                  # 10,000 phones within 20 s (~1.5 min)
    python benchmarks/join_storm.py --phones 1000 --out benchmarks/results/storm-1000.json
    python benchmarks/join_storm.py --quick          # 300 phones, a few seconds: CI smoke test

One real `poll serve` on a fresh SQLite file with one debate and the projector's socket open,
started as `benchmarks/load.py` starts it (its pieces are imported). Phone i of N scans the code
at i/N of `--window` (default 2 s per 1,000 phones: 20 s for 10,000) and makes a browser's first
visit (`benchmarks/storm_phones.py`): GET the join page `/j/{code}` with an empty cookie jar; GET
every stylesheet, script and modulepreload the page names, `Accept-Encoding: br, gzip`, with the
cookies the page set (participant and CSRF), over one keep-alive connection (`--connections`);
open the socket the page names with those cookies and the page's origin; wait for the `state`
frame. Then the phone stays connected until the end (`--hold` s after the last one joined). Phones
are spread over two worker processes and over 127.0.0.x source addresses, 1,000 phones to an
address (as a venue's phones would come from many), so the per-address limits of `poll/limits.py`
and `--max-connections-per-ip` apply as they would there; a refusal is reported, not worked round.

Before it, in the same run, the bare `websockets` baseline of `load.py` (`run_bare`): the same
number of sockets opened as fast as the generator can (`--connect-concurrency` handshakes at once),
no HTTP: how long all of them took and each socket's handshake-to-state time.

Measured per phone: first request to state frame (and its parts: the page, the files, the socket);
bytes on the wire (HTTP requests as sent, responses as received with headers, compressed; the
socket's bytes received until its state frame); requests and TCP connections. For the run: server
CPU and RSS (psutil), the generator's CPU (workers and this process: it must stay below the
server's), how late the generator started phones against the schedule.

Exit status 1 only for functional failures: a phone without its state frame, any HTTP status
>= 400, a socket refused or closed by the server, an error frame, a projector that never counts
every phone, errors in the server's log. Timing is never asserted, so `--quick` runs in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import load  # noqa: E402
import storm_phones  # noqa: E402
from load import Bench, Meter, Screen, mb, percentiles  # noqa: E402

# Phone rows from the workers (storm_phones.StormWorker.storm), by position.
(INDEX, DUE, BEGAN, PAGE, FILES, SOCKET, STATE, HTTP_IN, HTTP_OUT, REQUESTS, TCP, WS_IN,
 STATUSES, FAILURE) = range(14)


class StormBench(Bench):
    worker_main = staticmethod(storm_phones.main)

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args)
        if args.max_connections_per_ip is not None:
            self.serve_args += ["--max-connections-per-ip", str(args.max_connections_per_ip)]

    async def run(self) -> dict[str, Any]:
        began = time.time()
        a = self.args
        out: dict[str, Any] = {"meta": {**self.meta(), "storm": {
            "window_s": a.window, "connections_per_phone": a.connections, "hold_s": a.hold,
            "limits": address_limits(self.n, a.addresses, a.window,
                                     a.max_connections_per_ip)}}}
        if not a.skip_bare:
            out["bare"] = await self.run_bare()
            await asyncio.sleep(a.pause)
        out["poll"] = await self.run_storm()
        out["meta"]["seconds"] = round(time.time() - began, 1)
        out["meta"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
        out["problems"] = list(self.problems)
        out["ok"] = not self.problems
        return out

    async def run_storm(self) -> dict[str, Any]:
        a = self.args
        print(f"debate-poll, a joining storm: {self.n} phones within {a.window:g} s", flush=True)
        poll = self.start_poll()
        server, http, debate = poll.server, poll.http, poll.debate
        result: dict[str, Any] = {"debate": poll.id}
        screen = Screen()
        try:
            await self._wait_health(http, server)
            await poll.sign_in()
            await http.get(debate["screen_url"])
            await screen.start(f"ws://127.0.0.1:{poll.port}/ws/{poll.id}/screen", poll.cookie())
            await asyncio.sleep(0.3)
            result["rss_idle_mb"] = mb(server.rss())
            rss = [server.rss()]

            async def sample_rss() -> None:
                while True:
                    await asyncio.sleep(0.5)
                    rss.append(server.rss())

            sampler = asyncio.create_task(sample_rss())
            meter = Meter(server, self.pool)
            timeout = 60 + self.n / 20  # one phone's visit, at most (the server may queue it long)
            per_worker = [[(i, addr) for i, _, addr in phones]
                          for phones in self._assignment(first_addr=40)]
            async with self.profiler(server, "storm"):
                snap = meter.snap()
                start_at = time.time() + 1.0  # the command reaches every worker before
                replies = await self.pool.call("storm", [
                    {"host": "127.0.0.1", "port": poll.port,
                     "join_path": urlsplit(debate["join_url"]).path, "phones": phones,
                     "start_at": start_at, "window": a.window, "total": self.n,
                     "connections": a.connections, "timeout": timeout}
                    for phones in per_worker], timeout=a.window + timeout + 120)
                cost = meter.since(snap)
            sampler.cancel()
            rss.append(server.rss())
            rows = [row for r in replies for row in r["phones"]]
            result["storm"] = self._summary(rows, replies, start_at, cost, rss)
            got = result["storm"]["with_state"]
            seen = await screen.wait_tally(lambda m: m.get("connected") == got, 15)
            result["storm"]["screen_counts_all_s"] = (
                None if seen is None else round(seen[0] - start_at, 3))
            if seen is None:
                last = screen.tallies[-1][1].get("connected") if screen.tallies else None
                self.problems.add(f"the projector never counted {got} connected phones "
                                  f"(last: {last})")
            await asyncio.sleep(a.hold)
            result["rss_end_mb"] = mb(server.rss())
            result["phones_end"] = await self.close_phones("debate-poll")
            await screen.close()
        finally:
            await self.stop_poll(poll)
        return result

    def _summary(self, rows: list[list[Any]], replies: list[dict[str, Any]], start_at: float,
                 cost: dict[str, float], rss: list[int]) -> dict[str, Any]:
        done = [r for r in rows if r[STATE] is not None and r[BEGAN] is not None]
        failures = Counter(_kind(r[FAILURE]) for r in rows if r[FAILURE])
        statuses = Counter(s for r in rows for s in r[STATUSES])
        n = max(1, len(rows))
        received = [r[HTTP_IN] + r[WS_IN] for r in done]
        out: dict[str, Any] = {
            "phones": len(rows), "with_state": len(done),
            "failures": dict(failures.most_common()),
            "failure_examples": [r[FAILURE] for r in rows if r[FAILURE]][:5],
            "http_status_errors": {str(k): v for k, v in sorted(statuses.items())},
            # first request to state frame, and its three parts
            "join": percentiles([r[STATE] - r[BEGAN] for r in done]),
            "page": percentiles([r[PAGE] - r[BEGAN] for r in done]),
            "files": percentiles([r[FILES] - r[PAGE] for r in done]),
            "socket": percentiles([r[STATE] - r[SOCKET] for r in done]),
            "last_state_after_start_s": round(max(r[STATE] for r in done) - start_at, 3)
            if done else None,
            "generator_late": percentiles([r[BEGAN] - r[DUE] for r in rows
                                           if r[BEGAN] is not None]),
            "requests_per_phone": round(sum(r[REQUESTS] for r in rows) / n, 2),
            "tcp_per_phone": round(sum(r[TCP] for r in rows) / n, 2),
            "bytes_per_phone": {
                "http_received": _mean(r[HTTP_IN] for r in done),
                "http_sent": _mean(r[HTTP_OUT] for r in done),
                "socket_received_until_state": _mean(r[WS_IN] for r in done),
                "received": _mean(received),
                "received_min": min(received, default=None),
                "received_max": max(received, default=None),
            },
            "mb_received_per_1000_phones": round(_mean(received) * 1000 / 1e6, 2)
            if received else None,
            "server_rss_mb": {"before": mb(rss[0]), "max": mb(max(rss)), "after": mb(rss[-1])},
            "server_cpu_ms_per_phone": round(cost["server_cpu_s"] / n * 1000, 2),
            **cost,
        }
        if len(done) < len(rows):
            self.problems.add(f"storm: {len(rows) - len(done)} of {len(rows)} phones got no "
                              f"state frame: {dict(failures)} (e.g. {out['failure_examples'][:2]})")
        if statuses:
            self.problems.add(f"storm: HTTP errors {dict(statuses)}")
        j = out["join"]
        print(f"  {len(done)}/{len(rows)} phones have their state; first request to state p50 "
              f"{j['p50']} / p99 {j['p99']} / max {j['max']} ms; server CPU "
              f"{cost['server_cpu_pct']} %, generator {cost['generator_cpu_pct']} %", flush=True)
        return out


def _kind(failure: str) -> str:
    """A failure's kind for counting: its step and exception, without the details."""
    step, _, rest = failure.partition(": ")
    return f"{step}: {rest.split(':', 1)[0].split(' (', 1)[0][:60]}"


def _mean(values: Any) -> float | None:
    values = list(values)
    return round(sum(values) / len(values)) if values else None


def address_limits(phones: int, addresses: int, window: float,
                   max_per_ip: int | None) -> dict[str, Any]:
    """What the storm asks of each source address against the limits of `poll/limits.py` (of
    this checkout): open sockets, and socket connects in the limit's sliding window."""
    from dataclasses import fields

    from poll.config import Settings
    from poll.limits import Limits

    defaults = {f.name: f.default for f in fields(Settings)}
    cap = max_per_ip if max_per_ip is not None else int(defaults["max_connections_per_ip"])
    limits = Limits(int(defaults["max_connections"]), cap)
    per_address = math.ceil(phones / max(1, addresses))
    rate = limits.connects_per_address
    # uniform arrivals: the most connects of one address within any `rate.seconds`
    in_window = per_address if window <= rate.seconds else math.ceil(
        per_address * rate.seconds / window)
    return {"phones_per_address": per_address,
            "open_sockets_cap_per_address": cap, "total_cap": limits.max_connections,
            "connects_per_address_in_window": in_window,
            "connects_limit": rate.limit, "connects_window_s": rate.seconds,
            "within": per_address <= cap and in_window <= rate.limit
            and phones <= limits.max_connections}


def report(out: dict[str, Any]) -> str:
    m, p = out["meta"], out["poll"]
    s, st = p["storm"], m["storm"]
    bare = (out.get("bare") or {}).get("connect", {})
    lim = st["limits"]
    b = s["bytes_per_phone"]
    lines = [
        f"debate-poll, a joining storm: {m['phones']} phones within {st['window_s']:g} s, "
        f"{m['workers']} client processes, {m['source_addresses']} source addresses "
        f"(server: {load.server_label(m)}, load {m['host']['load_before'][0]} -> "
        f"{m['load_after'][0]}, {m['seconds']} s)",
        f"  per address {lim['phones_per_address']} phones: at most "
        f"{lim['connects_per_address_in_window']} connects in {lim['connects_window_s']:g} s "
        f"(limit {lim['connects_limit']}), {lim['phones_per_address']} open (cap "
        f"{lim['open_sockets_cap_per_address']}): {'within' if lim['within'] else 'OVER'} "
        "the limits",
        "",
        f"{s['with_state']}/{s['phones']} phones got their state frame; failures "
        f"{s['failures'] or 'none'}; HTTP >= 400: {s['http_status_errors'] or 'none'}",
        f"  {'ms':26}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}",
    ]
    for key, label in (("join", "first request -> state"), ("page", "  the page"),
                       ("files", "  its files"), ("socket", "  socket -> state"),
                       ("generator_late", "generator late")):
        x = s[key]
        lines.append(f"  {label:26}{x['p50']!s:>9}{x['p95']!s:>9}{x['p99']!s:>9}"
                     f"{x['max']!s:>9}")
    if bare:
        lat = bare.get("socket_latency") or {}
        lines += [
            f"  bare baseline, {bare.get('phones')} sockets at full speed: all in "
            f"{bare.get('seconds')} s ({bare.get('per_second')}/s); per socket p50 "
            f"{lat.get('p50')} / p99 {lat.get('p99')} / max {lat.get('max')} ms",
        ]
    lines += [
        f"  last phone had its state {s['last_state_after_start_s']} s after the first scan; "
        f"projector counted them all at {s['screen_counts_all_s']} s",
        "",
        f"per phone: {s['requests_per_phone']} requests over {s['tcp_per_phone']} TCP "
        f"connections + the socket; received {b['received']} B (HTTP {b['http_received']}, "
        f"socket {b['socket_received_until_state']} until state), sent {b['http_sent']} B; "
        f"{s['mb_received_per_1000_phones']} MB per 1,000 phones",
        f"server CPU {s['server_cpu_s']} s over {s['wall_s']} s ({s['server_cpu_pct']} % of one "
        f"core, {s['server_cpu_ms_per_phone']} ms per phone); RSS {s['server_rss_mb']} MB",
        f"generator CPU {s['generator_cpu_s']} s ({s['generator_cpu_pct']} % of one core, "
        f"two processes and the parent)",
        "",
    ]
    if out["problems"]:
        lines.append(f"FUNCTIONAL PROBLEMS ({len(out['problems'])}):")
        lines += [f"  - {x}" for x in out["problems"]]
    else:
        lines.append("no functional problems")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--phones", type=int, help="number of phones (default 10000; --quick: 300)")
    p.add_argument("--window", type=float,
                   help="the phones scan the code spread uniformly over this many s (default "
                        "2 s per 1,000 phones: 20 s for 10,000; at least 1)")
    p.add_argument("--connections", type=int, default=1,
                   help="keep-alive HTTP connections per phone for the page and its files "
                        "(default 1; a browser opens up to 6)")
    p.add_argument("--hold", type=float,
                   help="s every phone stays connected after the last one joined (default 2)")
    p.add_argument("--quick", action="store_true",
                   help="smoke test: 300 phones in a short window, a few seconds")
    p.add_argument("--out", default=str(HERE / "results" / "storm.json"),
                   help="JSON results file (default: benchmarks/results/storm.json)")
    p.add_argument("--workers", type=int, help="client processes (default 2, or 1 per 5,000)")
    p.add_argument("--addresses", type=int,
                   help="source addresses 127.0.0.x (default 1 per 1,000 phones, min 2, max 25)")
    p.add_argument("--max-connections-per-ip", type=int,
                   help="passed to `poll serve` (default: the server's own)")
    p.add_argument("--pause", type=float, help="seconds of quiet between the runs (default 1)")
    p.add_argument("--connect-concurrency", type=int, default=200,
                   help="the bare baseline's handshakes in flight per client process")
    p.add_argument("--skip-bare", action="store_true", help="do not run the bare baseline")
    p.add_argument("--server-ref", metavar="REF",
                   help="run the server from `git archive REF` instead of the working tree")
    p.add_argument("--profile", action="store_true", help="py-spy record the server's storm")
    p.add_argument("--profile-format", choices=("raw", "flamegraph", "speedscope"),
                   default="raw")
    p.add_argument("--profile-rate", type=int, default=100)
    p.add_argument("--profile-native", action="store_true")
    args = p.parse_args(argv)
    n = args.phones = args.phones or (300 if args.quick else 10_000)
    if args.window is None:
        args.window = max(1.0, 2.0 * n / 1000)
    args.hold = args.hold if args.hold is not None else (0.5 if args.quick else 2.0)
    args.workers = args.workers or max(2, math.ceil(n / 5000))
    args.addresses = min(25, args.addresses or max(2, math.ceil(n / 1000)))
    args.pause = args.pause if args.pause is not None else (0.3 if args.quick else 1.0)
    # what load.Bench reads and this scenario does not use (the bare run: connect, no switches)
    args.switches, args.probe, args.probe_freeze = 0, None, False
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return load.run_bench(StormBench(args), args.out, report)


if __name__ == "__main__":
    sys.exit(main())
